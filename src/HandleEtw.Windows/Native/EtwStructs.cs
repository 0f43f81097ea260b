using System.Runtime.InteropServices;

namespace HandleEtw.Windows.Native;

// x64 layouts of the ETW controller/consumer structs (windows-live.md §2.2, §3.1, §3.2). Explicit offsets so the
// layout does not depend on the host's packing rules; StructLayoutTests checks every size on any OS.

/// <summary>WNODE_HEADER + EVENT_TRACE_PROPERTIES (120 bytes); the session and log file names follow it.</summary>
[StructLayout(LayoutKind.Explicit, Size = 120)]
public struct EventTraceProperties
{
    [FieldOffset(0)] public uint WnodeBufferSize;
    [FieldOffset(4)] public uint WnodeProviderId;
    [FieldOffset(8)] public ulong HistoricalContext;
    [FieldOffset(16)] public long TimeStamp;
    [FieldOffset(24)] public Guid Guid;
    [FieldOffset(40)] public uint ClientContext;
    [FieldOffset(44)] public uint WnodeFlags;
    [FieldOffset(48)] public uint BufferSize;
    [FieldOffset(52)] public uint MinimumBuffers;
    [FieldOffset(56)] public uint MaximumBuffers;
    [FieldOffset(60)] public uint MaximumFileSize;
    [FieldOffset(64)] public uint LogFileMode;
    [FieldOffset(68)] public uint FlushTimer;
    [FieldOffset(72)] public uint EnableFlags;
    [FieldOffset(76)] public int AgeLimit;
    [FieldOffset(80)] public uint NumberOfBuffers;
    [FieldOffset(84)] public uint FreeBuffers;
    [FieldOffset(88)] public uint EventsLost;
    [FieldOffset(92)] public uint BuffersWritten;
    [FieldOffset(96)] public uint LogBuffersLost;
    [FieldOffset(100)] public uint RealTimeBuffersLost;
    [FieldOffset(104)] public nint LoggerThreadId;
    [FieldOffset(112)] public uint LogFileNameOffset;
    [FieldOffset(116)] public uint LoggerNameOffset;
}

/// <summary>EVENT_TRACE_HEADER (48 bytes), inside EVENT_TRACE.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
public struct EventTraceHeader
{
    [FieldOffset(0)] public ushort Size;
    [FieldOffset(2)] public ushort FieldTypeFlags;
    [FieldOffset(4)] public uint Version;
    [FieldOffset(8)] public uint ThreadId;
    [FieldOffset(12)] public uint ProcessId;
    [FieldOffset(16)] public long TimeStamp;
    [FieldOffset(24)] public Guid Guid;
    [FieldOffset(40)] public ulong ProcessorTime;
}

/// <summary>EVENT_TRACE (88 bytes): the legacy current-event slot of EVENT_TRACE_LOGFILEW.</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
public struct EventTrace
{
    [FieldOffset(0)] public EventTraceHeader Header;
    [FieldOffset(48)] public uint InstanceId;
    [FieldOffset(52)] public uint ParentInstanceId;
    [FieldOffset(56)] public Guid ParentGuid;
    [FieldOffset(72)] public nint MofData;
    [FieldOffset(80)] public uint MofLength;
    [FieldOffset(84)] public uint ClientContext;
}

/// <summary>TRACE_LOGFILE_HEADER (280 bytes on x64; TIME_ZONE_INFORMATION is 172 bytes at 72).</summary>
[StructLayout(LayoutKind.Explicit, Size = 280)]
public struct TraceLogfileHeader
{
    [FieldOffset(0)] public uint BufferSize;
    [FieldOffset(4)] public uint Version;
    [FieldOffset(8)] public uint ProviderVersion;
    [FieldOffset(12)] public uint NumberOfProcessors;
    [FieldOffset(16)] public long EndTime;
    [FieldOffset(24)] public uint TimerResolution;
    [FieldOffset(28)] public uint MaximumFileSize;
    [FieldOffset(32)] public uint LogFileMode;
    [FieldOffset(36)] public uint BuffersWritten;
    [FieldOffset(40)] public uint StartBuffers;
    [FieldOffset(44)] public uint PointerSize;
    [FieldOffset(48)] public uint EventsLost;
    [FieldOffset(52)] public uint CpuSpeedInMHz;
    [FieldOffset(56)] public nint LoggerName;
    [FieldOffset(64)] public nint LogFileName;
    [FieldOffset(72)] public int TimeZoneBias;
    [FieldOffset(248)] public long BootTime;
    [FieldOffset(256)] public long PerfFreq;
    [FieldOffset(264)] public long StartTime;
    [FieldOffset(272)] public uint ReservedFlags;
    [FieldOffset(276)] public uint BuffersLost;
}

/// <summary>EVENT_TRACE_LOGFILEW (448 bytes on x64), the OpenTraceW argument.</summary>
[StructLayout(LayoutKind.Explicit, Size = 448)]
public unsafe struct EventTraceLogfile
{
    [FieldOffset(0)] public char* LogFileName;
    [FieldOffset(8)] public char* LoggerName;
    [FieldOffset(16)] public long CurrentTime;
    [FieldOffset(24)] public uint BuffersRead;
    [FieldOffset(28)] public uint ProcessTraceMode;
    [FieldOffset(32)] public EventTrace CurrentEvent;
    [FieldOffset(120)] public TraceLogfileHeader LogfileHeader;
    [FieldOffset(400)] public nint BufferCallback;
    [FieldOffset(408)] public uint BufferSize;
    [FieldOffset(412)] public uint Filled;
    [FieldOffset(416)] public uint EventsLost;
    [FieldOffset(424)] public nint EventRecordCallback;
    [FieldOffset(432)] public uint IsKernelTrace;
    [FieldOffset(440)] public nint Context;
}

/// <summary>EVENT_HEADER (80 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
public struct EventHeader
{
    [FieldOffset(0)] public ushort Size;
    [FieldOffset(2)] public ushort HeaderType;
    [FieldOffset(4)] public ushort Flags;
    [FieldOffset(6)] public ushort EventProperty;
    [FieldOffset(8)] public uint ThreadId;
    [FieldOffset(12)] public uint ProcessId;
    [FieldOffset(16)] public long TimeStamp;
    [FieldOffset(24)] public Guid ProviderId;
    [FieldOffset(40)] public ushort Id;
    [FieldOffset(42)] public byte Version;
    [FieldOffset(43)] public byte Channel;
    [FieldOffset(44)] public byte Level;
    [FieldOffset(45)] public byte Opcode;
    [FieldOffset(46)] public ushort Task;
    [FieldOffset(48)] public ulong Keyword;
    [FieldOffset(56)] public uint KernelTime;
    [FieldOffset(60)] public uint UserTime;
    [FieldOffset(64)] public Guid ActivityId;

    public const ushort FlagClassicHeader = 0x0100;
    public const ushort Flag32BitHeader = 0x0020;
    public const ushort Flag64BitHeader = 0x0040;
    public const ushort FlagProcessorIndex = 0x0200;
}

/// <summary>EVENT_RECORD (112 bytes), what the record callback receives.</summary>
[StructLayout(LayoutKind.Explicit, Size = 112)]
public unsafe struct EventRecordNative
{
    [FieldOffset(0)] public EventHeader EventHeader;
    [FieldOffset(80)] public byte ProcessorNumber;
    [FieldOffset(81)] public byte Alignment;
    [FieldOffset(80)] public ushort ProcessorIndex;
    [FieldOffset(82)] public ushort LoggerId;
    [FieldOffset(84)] public ushort ExtendedDataCount;
    [FieldOffset(86)] public ushort UserDataLength;
    [FieldOffset(88)] public EventHeaderExtendedDataItem* ExtendedData;
    [FieldOffset(96)] public byte* UserData;
    [FieldOffset(104)] public nint UserContext;
}

/// <summary>EVENT_HEADER_EXTENDED_DATA_ITEM (16 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
public struct EventHeaderExtendedDataItem
{
    [FieldOffset(0)] public ushort Reserved1;
    [FieldOffset(2)] public ushort ExtType;
    [FieldOffset(4)] public ushort Linkage;
    [FieldOffset(6)] public ushort DataSize;
    [FieldOffset(8)] public ulong DataPtr;
}

/// <summary>CLASSIC_EVENT_ID (24 bytes): one entry of the TraceStackTracingInfo list.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
public struct ClassicEventId
{
    [FieldOffset(0)] public Guid EventGuid;
    [FieldOffset(16)] public byte Type;
}

/// <summary>PERFINFO_GROUPMASK: 8 ULONGs (32 bytes) for TraceSystemTraceEnableFlagsInfo.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public unsafe struct PerfInfoGroupMask
{
    public fixed uint Masks[8];
}

/// <summary>TRACE_STACK_CACHING_INFO for TraceSetInformation(TraceStackCachingInfo): BOOLEAN Enabled; ULONG CacheSize;
/// ULONG BucketCount.</summary>
[StructLayout(LayoutKind.Explicit, Size = 12)]
public struct StackCachingInfo
{
    [FieldOffset(0)] public byte Enabled;
    [FieldOffset(4)] public uint CacheSize;
    [FieldOffset(8)] public uint BucketCount;
}

/// <summary>The kernel's object-type filter request for NtSetSystemInformation(SystemPerformanceTraceInformation):
/// information class (ObjectTypeFilterInformation, 0x11), the session handle, then up to four type tags. Not in the
/// SDK; the layout other tools use.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public unsafe struct ObjectTypeFilterInfo
{
    public const uint ObjectTypeFilterClass = 0x11;

    [FieldOffset(0)] public uint InformationClass;
    [FieldOffset(8)] public ulong TraceHandle;
    [FieldOffset(16)] public fixed uint Tags[4];
}
