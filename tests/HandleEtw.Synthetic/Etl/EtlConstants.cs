namespace HandleEtw.Synthetic.Etl;

/// <summary>On-disk constants of the .etl format (etl-format.md §2.1-§2.2).</summary>
public static class EtlConstants
{
    public const int BufferHeaderSize = 0x48;

    // WMI_BUFFER_HEADER.BufferFlag
    public const ushort FlagFlushMarker = 0x01;
    public const ushort FlagEventsLost = 0x02;
    public const ushort FlagProcessorIndex = 0x20;
    public const ushort FlagCompressed = 0x40;

    // WMI_BUFFER_HEADER.BufferType
    public const ushort BufferTypeGeneric = 0;
    public const ushort BufferTypeRundown = 1;
    public const ushort BufferTypeHeader = 4;

    // TRACE_LOGFILE_HEADER.LogFileMode
    public const uint LogFileModeSequential = 0x00000001;
    public const uint LogFileModeCompressed = 0x04000000;
    public const uint LogFileModeSystemLogger = 0x02000000;

    /// <summary>COMPRESSION_FORMAT_XPRESS, stored in the header buffer's State.</summary>
    public const uint CompressionFormatXpress = 3;

    public const byte HeaderFlags = 0xC0;
}

/// <summary>Header type byte (byte 2 of the record's first DWORD).</summary>
public enum RecordHeaderType : byte
{
    System32 = 0x01,
    System64 = 0x02,
    Compact32 = 0x03,
    Compact64 = 0x04,
    FullHeader32 = 0x0A,
    PerfInfo32 = 0x10,
    PerfInfo64 = 0x11,
    EventHeader32 = 0x12,
    EventHeader64 = 0x13,
    FullHeader64 = 0x14,
}

/// <summary>Kernel hook ids (group byte &lt;&lt; 8 | event type) the writer emits.</summary>
public static class Hooks
{
    public const ushort EventTraceHeader = 0x0000;
    public const ushort ProcessStart = 0x0301, ProcessStop = 0x0302, ProcessDCStart = 0x0303, ProcessDCEnd = 0x0304;
    /// <summary>Image/Load is logged under the Process group (type 10).</summary>
    public const ushort ImageLoad = 0x030A;
    public const ushort ThreadStart = 0x0501, ThreadStop = 0x0502, ThreadDCStart = 0x0503, ThreadDCEnd = 0x0504;
    public const ushort CreateHandle = 0x1120, CloseHandle = 0x1121, DuplicateHandle = 0x1122;
    public const ushort TypeDCStart = 0x1124, TypeDCEnd = 0x1125, HandleDCStart = 0x1126, HandleDCEnd = 0x1127;
    public const ushort ImageUnload = 0x1402, ImageDCStart = 0x1403, ImageDCEnd = 0x1404;
    public const ushort StackWalk = 0x1820, StackKeyDelete = 0x1823, StackKeyRundown = 0x1824;
    public const ushort StackKeyKernel = 0x1825, StackKeyUser = 0x1826;
}

/// <summary>GUIDs of the non-kernel records the writer emits.</summary>
public static class EtlGuids
{
    /// <summary>KernelTraceControl ImageID task (DbgID_RSDS is its opcode 0x24).</summary>
    public static readonly Guid ImageIdTask = new("b3e675d7-2554-4f18-830b-2762732560de");

    /// <summary>Lost-event task; opcode 32 RTLostEvent.</summary>
    public static readonly Guid LostEventTask = new("6a399ae0-4bc6-4de9-870b-3657f8947e7e");

    public const byte DbgIdRsdsOpcode = 0x24;
    public const byte LostEventOpcode = 32;
}
