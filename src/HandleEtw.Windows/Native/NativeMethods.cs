using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HandleEtw.Windows.Native;

/// <summary>advapi32 ETW controller/consumer entry points. Return values are Win32 error codes.</summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class Etw
{
    private const string Advapi = "advapi32.dll";

    [LibraryImport(Advapi, EntryPoint = "StartTraceW", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial uint StartTrace(out ulong traceHandle, string instanceName, EventTraceProperties* properties);

    [LibraryImport(Advapi, EntryPoint = "ControlTraceW", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial uint ControlTrace(ulong traceHandle, string? instanceName, EventTraceProperties* properties, uint controlCode);

    [LibraryImport(Advapi, EntryPoint = "OpenTraceW", SetLastError = true)]
    internal static partial ulong OpenTrace(EventTraceLogfile* logfile);

    [LibraryImport(Advapi)]
    internal static partial uint ProcessTrace(ulong* handleArray, uint handleCount, long* startTime, long* endTime);

    [LibraryImport(Advapi)]
    internal static partial uint CloseTrace(ulong traceHandle);

    [LibraryImport(Advapi)]
    internal static partial uint TraceSetInformation(ulong sessionHandle, int informationClass, void* information, uint length);

    [LibraryImport(Advapi)]
    internal static partial uint TraceQueryInformation(ulong sessionHandle, int informationClass, void* information, uint length, uint* returnLength);

    [LibraryImport(Advapi, EntryPoint = "QueryAllTracesW")]
    internal static partial uint QueryAllTraces(EventTraceProperties** propertyArray, uint propertyArrayCount, uint* loggerCount);

    [LibraryImport(Advapi)]
    internal static partial uint EnableTraceEx2(ulong traceHandle, Guid* providerId, uint controlCode, byte level,
        ulong matchAnyKeyword, ulong matchAllKeyword, uint timeout, void* enableParameters);

    internal const ulong InvalidProcessTraceHandle = ulong.MaxValue;
}

/// <summary>ntdll queries for the initial inventory. Return values are NTSTATUS.</summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class Nt
{
    internal const int SystemExtendedHandleInformation = 64;
    internal const int ObjectTypesInformation = 3;

    /// <summary>SystemPerformanceTraceInformation: kernel-logger settings the SDK does not expose (the object-type filter).</summary>
    internal const uint SystemPerformanceTraceInformation = 0x1F;

    [LibraryImport("ntdll.dll")]
    internal static partial uint NtSetSystemInformation(uint informationClass, void* information, uint length);
    internal const int StatusInfoLengthMismatch = unchecked((int)0xC0000004);
    internal const int StatusBufferOverflow = unchecked((int)0x80000005);
    internal const int StatusBufferTooSmall = unchecked((int)0xC0000023);

    [LibraryImport("ntdll.dll")]
    internal static partial int NtQuerySystemInformation(int informationClass, void* buffer, uint length, uint* returnLength);

    [LibraryImport("ntdll.dll")]
    internal static partial int NtQueryObject(nint handle, int informationClass, void* buffer, uint length, uint* returnLength);
}

/// <summary>Token queries: elevation and privileges.</summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class Security
{
    internal const uint TokenQuery = 0x0008;
    internal const uint TokenAdjustPrivileges = 0x0020;
    internal const int TokenElevation = 20;
    internal const uint SePrivilegeEnabled = 0x2;
    internal const int ErrorNotAllAssigned = 1300;

    [LibraryImport("advapi32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool OpenProcessToken(nint processHandle, uint desiredAccess, out nint tokenHandle);

    [LibraryImport("advapi32.dll", EntryPoint = "LookupPrivilegeValueW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool LookupPrivilegeValue(string? systemName, string name, out long luid);

    [LibraryImport("advapi32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool AdjustTokenPrivileges(nint token, [MarshalAs(UnmanagedType.Bool)] bool disableAll,
        TokenPrivilegesOne* newState, uint bufferLength, void* previousState, uint* returnLength);

    [LibraryImport("advapi32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetTokenInformation(nint token, int informationClass, void* information, uint length, out uint returnLength);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool CloseHandle(nint handle);

    /// <summary>GetCurrentProcess() pseudo handle.</summary>
    internal static nint CurrentProcess => -1;
}
