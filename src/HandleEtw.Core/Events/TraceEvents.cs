namespace HandleEtw.Core.Events;

/// <summary>Object Manager handle operations (kernel Object group, opcodes 32-34 and 38/39).</summary>
public enum HandleOp : byte
{
    Create,
    Close,
    Duplicate,
    /// <summary>HandleDCStart: the handle was open when the trace started.</summary>
    RundownStart,
    /// <summary>HandleDCEnd: the handle was open when the trace ended.</summary>
    RundownEnd,
}

/// <summary>A decoded handle event with its joined stack.</summary>
public readonly record struct HandleEvent
{
    public HandleOp Op { get; init; }
    public long Timestamp { get; init; }

    /// <summary>Process context that logged the event (for rundown: the owning process from the payload).</summary>
    public int ProcessId { get; init; }
    public int ThreadId { get; init; }
    public ushort Cpu { get; init; }
    public ulong Object { get; init; }

    /// <summary>Handle value (Duplicate: the source handle).</summary>
    public uint Handle { get; init; }
    public ushort ObjectType { get; init; }

    /// <summary>Object name when the event carries one (Close of named objects, rundown), else null.</summary>
    public string? Name { get; init; }

    /// <summary>Duplicate only: the new handle in the target process.</summary>
    public uint TargetHandle { get; init; }
    public int TargetProcessId { get; init; }

    /// <summary>Duplicate only: the process that owns the source handle.</summary>
    public int SourceProcessId { get; init; }

    /// <summary>Interned stack id in the pipeline's stack table; -1 when the event has no stack.</summary>
    public int StackId { get; init; }

    /// <summary>Kernel handle values have this bit set; they live in the kernel's (System, PID 4) table.</summary>
    public const uint KernelHandleBit = 0x8000_0000;
}

public enum ProcessOp : byte { Start, Stop, DCStart, DCEnd, Defunct, Terminate }

public readonly record struct ProcessEvent
{
    public ProcessOp Op { get; init; }
    public long Timestamp { get; init; }
    public ulong UniqueProcessKey { get; init; }
    public int ProcessId { get; init; }
    public int ParentId { get; init; }
    public int SessionId { get; init; }
    public int ExitStatus { get; init; }
    public string ImageFileName { get; init; }
    public string CommandLine { get; init; }

    /// <summary>Thread that logged the event (the creator, for Start).</summary>
    public int ThreadId { get; init; }
    public int StackId { get; init; }
}

public enum ThreadOp : byte { Start, Stop, DCStart, DCEnd }

public readonly record struct ThreadEvent
{
    public ThreadOp Op { get; init; }
    public long Timestamp { get; init; }
    public int ProcessId { get; init; }
    public int ThreadId { get; init; }
}

public enum ImageOp : byte { Load, Unload, DCStart, DCEnd, KernelBase }

public readonly record struct ImageEvent
{
    public ImageOp Op { get; init; }
    public long Timestamp { get; init; }
    public int ProcessId { get; init; }
    public ulong ImageBase { get; init; }
    public ulong ImageSize { get; init; }
    public uint Checksum { get; init; }
    public uint TimeDateStamp { get; init; }
    public string FileName { get; init; }
}

/// <summary>PDB identity of an image (KernelTraceControl DbgID_RSDS, or read from the image file itself).</summary>
public readonly record struct ImageIdentity
{
    public long Timestamp { get; init; }
    public int ProcessId { get; init; }
    public ulong ImageBase { get; init; }
    public Guid PdbGuid { get; init; }
    public int PdbAge { get; init; }
    public string PdbName { get; init; }
}

/// <summary>Lost events or buffers reported inside the stream (lost-event records, live counters).</summary>
public readonly record struct LossEvent
{
    public long Timestamp { get; init; }
    public long Events { get; init; }
    public long Buffers { get; init; }
}
