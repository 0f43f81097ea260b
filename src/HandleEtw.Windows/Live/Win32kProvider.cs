using System.Runtime.InteropServices;

namespace HandleEtw.Windows.Live;

/// <summary>
/// GDI and USER handle events: Microsoft-Windows-Win32k with keywords GdiHandleOperation 0x10000000000 and
/// UserHandleOperation 0x20000000000, level 4, stacks through EVENT_ENABLE_PROPERTY_STACK_TRACE (each event then
/// carries a STACK_TRACE64 extended item). Logged since Windows 10 1903 (MSO-Scripts TraceHandles.ps1 checks build
/// 10.0.18315; Alois-xx/etwcontroller's MultiProfile.wprp says 1903). Platform-neutral decisions, tested everywhere.
/// </summary>
public static class Win32kProvider
{
    public static readonly Guid Provider = new("8c416c79-d49b-4f01-a467-e56d3aa8234c");
    public const ulong GdiKeyword = 0x100_0000_0000, UserKeyword = 0x200_0000_0000;
    public const byte Level = 4;
    public const uint EnablePropertyStackTrace = 0x4;

    /// <summary>Windows 10 1903.</summary>
    public const int MinimumBuild = 18362;

    public static ulong Keywords(bool gdi, bool user) => (gdi ? GdiKeyword : 0) | (user ? UserKeyword : 0);

    /// <summary>Why --gdi/--user cannot be recorded on this OS, or null when they can (or were not asked for).</summary>
    public static string? Unsupported(Version os, bool gdi, bool user)
    {
        if (!gdi && !user) return null;
        if (os.Major > 10 || (os.Major == 10 && os.Build >= MinimumBuild)) return null;
        string asked = gdi && user ? "--gdi --user" : gdi ? "--gdi" : "--user";
        return $"{asked}: GDI and USER handle events need Windows 10 1903 (build {MinimumBuild}) or later; this is Windows " +
               $"{os.Major}.{os.Minor} build {os.Build}: record without {asked} for kernel handles only";
    }
}

/// <summary>ENABLE_TRACE_PARAMETERS (version 2), 48 bytes on 64-bit Windows.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
public struct EnableTraceParameters
{
    public const uint Version2 = 2;
    [FieldOffset(0)] public uint Version;
    [FieldOffset(4)] public uint EnableProperty;
    [FieldOffset(8)] public uint ControlFlags;
    [FieldOffset(12)] public Guid SourceId;
    [FieldOffset(32)] public nint EnableFilterDesc;
    [FieldOffset(40)] public uint FilterDescCount;
}
