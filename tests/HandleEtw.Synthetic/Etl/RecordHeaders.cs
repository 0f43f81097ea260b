using System.Buffers.Binary;

namespace HandleEtw.Synthetic.Etl;

/// <summary>EVENT_HEADER descriptor fields (etl-format.md §2.2).</summary>
public readonly record struct EventDescriptor(ushort Id, byte Version, byte Channel, byte Level, byte Opcode, ushort Task, ulong Keyword);

/// <summary>
/// Writes the record headers of etl-format.md §2.2 over the start of a record span whose length is the record's
/// Size (header + payload, before alignment).
/// </summary>
public static class RecordHeaders
{
    public const int SystemSize = 32, CompactSize = 24, PerfInfoSize = 16, FullSize = 48, EventHeaderSize = 80;

    /// <summary>SYSTEM32/64: Version u16, type u8, 0xC0, Size u16, HookId u16, TID, PID, SystemTime, Kernel/UserTime.</summary>
    public static void System(Span<byte> r, RecordHeaderType type, byte version, ushort hook, int pid, int tid, long raw)
    {
        Marker(r, type, version, hook);
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], tid);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], pid);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], raw);
        BinaryPrimitives.WriteUInt32LittleEndian(r[24..], 0x10); // KernelTime
        BinaryPrimitives.WriteUInt32LittleEndian(r[28..], 0x20); // UserTime
    }

    /// <summary>COMPACT32/64: as SYSTEM without the CPU times.</summary>
    public static void Compact(Span<byte> r, RecordHeaderType type, byte version, ushort hook, int pid, int tid, long raw)
    {
        Marker(r, type, version, hook);
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], tid);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], pid);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], raw);
    }

    /// <summary>PERFINFO32/64: marker, Size, HookId, SystemTime; no PID/TID.</summary>
    public static void PerfInfo(Span<byte> r, RecordHeaderType type, byte version, ushort hook, long raw)
    {
        Marker(r, type, version, hook);
        BinaryPrimitives.WriteInt64LittleEndian(r[8..], raw);
    }

    /// <summary>FULL_HEADER32/64 (EVENT_TRACE_HEADER): Size u16, type, 0xC0, Class.Type, Level, Version, TID, PID,
    /// TimeStamp, GUID, KernelTime, UserTime.</summary>
    public static void Full(Span<byte> r, RecordHeaderType type, Guid guid, byte classType, ushort version, int pid, int tid, long raw)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(r, (ushort)r.Length);
        r[2] = (byte)type;
        r[3] = EtlConstants.HeaderFlags;
        r[4] = classType;
        r[5] = 0; // Level
        BinaryPrimitives.WriteUInt16LittleEndian(r[6..], version);
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], tid);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], pid);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], raw);
        guid.TryWriteBytes(r[24..]);
    }

    /// <summary>EVENT_HEADER64: Size u16, type, 0xC0, Flags, EventProperty, TID, PID, TimeStamp, ProviderId,
    /// EventDescriptor, ProcessorTime, ActivityId; no extended items.</summary>
    public static void EventHeader(Span<byte> r, Guid provider, in EventDescriptor d, int pid, int tid, long raw) =>
        EventHeader(r, RecordHeaderType.EventHeader64, 0, provider, d, pid, tid, raw);

    /// <summary>EVENT_HEADER32/64 with the given Flags (0x1: extended items follow the 80 header bytes).</summary>
    public static void EventHeader(Span<byte> r, RecordHeaderType type, ushort flags, Guid provider, in EventDescriptor d,
                                   int pid, int tid, long raw)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(r, (ushort)r.Length);
        r[2] = (byte)type;
        r[3] = EtlConstants.HeaderFlags;
        BinaryPrimitives.WriteUInt16LittleEndian(r[4..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(r[6..], 0); // EventProperty
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], tid);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], pid);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], raw);
        provider.TryWriteBytes(r[24..]);
        BinaryPrimitives.WriteUInt16LittleEndian(r[40..], d.Id);
        r[42] = d.Version;
        r[43] = d.Channel;
        r[44] = d.Level;
        r[45] = d.Opcode;
        BinaryPrimitives.WriteUInt16LittleEndian(r[46..], d.Task);
        BinaryPrimitives.WriteUInt64LittleEndian(r[48..], d.Keyword);
        // ProcessorTime @56 and ActivityId @64 stay zero.
    }

    private static void Marker(Span<byte> r, RecordHeaderType type, byte version, ushort hook)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(r, version);
        r[2] = (byte)type;
        r[3] = EtlConstants.HeaderFlags;
        BinaryPrimitives.WriteUInt16LittleEndian(r[4..], (ushort)r.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(r[6..], hook);
    }
}

/// <summary>WMI_BUFFER_HEADER (0x48 bytes, etl-format.md §2.1).</summary>
internal struct BufferHeader
{
    public int BufferSize;
    public int SavedOffset;
    public long TimeStamp;
    public long Sequence;
    public ushort Processor;
    public ushort Flags;
    public ushort Type;
    public uint State;

    private const ushort LoggerId = 0x12;

    public readonly void Write(Span<byte> b)
    {
        b[..EtlConstants.BufferHeaderSize].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(b, BufferSize);
        BinaryPrimitives.WriteInt32LittleEndian(b[0x04..], SavedOffset);
        BinaryPrimitives.WriteInt32LittleEndian(b[0x08..], SavedOffset);  // CurrentOffset
        BinaryPrimitives.WriteInt64LittleEndian(b[0x10..], TimeStamp);
        BinaryPrimitives.WriteInt64LittleEndian(b[0x18..], Sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(b[0x28..], Processor);   // ClientContext.ProcessorIndex
        BinaryPrimitives.WriteUInt16LittleEndian(b[0x2A..], LoggerId);
        BinaryPrimitives.WriteUInt32LittleEndian(b[0x2C..], State);
        BinaryPrimitives.WriteInt32LittleEndian(b[0x30..], SavedOffset);  // Offset
        BinaryPrimitives.WriteUInt16LittleEndian(b[0x34..], (ushort)(Flags | EtlConstants.FlagProcessorIndex));
        BinaryPrimitives.WriteUInt16LittleEndian(b[0x36..], Type);
    }
}

/// <summary>Records written, per kernel hook and header type, and per GUID-identified opcode.</summary>
public sealed class RecordCounts
{
    private readonly Dictionary<ushort, long> _byHook = [];
    private readonly Dictionary<(Guid, byte), long> _byGuid = [];
    private readonly long[] _byHeader = new long[256];

    public long Total { get; private set; }

    public long Hook(ushort hook) => _byHook.GetValueOrDefault(hook);
    public long Guid(Guid guid, byte opcode) => _byGuid.GetValueOrDefault((guid, opcode));
    public long Header(RecordHeaderType type) => _byHeader[(byte)type];
    public IReadOnlyDictionary<ushort, long> ByHook => _byHook;

    internal void Add(ushort hook, RecordHeaderType type)
    {
        _byHook[hook] = _byHook.GetValueOrDefault(hook) + 1;
        _byHeader[(byte)type]++;
        Total++;
    }

    internal void AddGuid(Guid guid, byte opcode, RecordHeaderType type)
    {
        _byHeader[(byte)type]++;
        _byGuid[(guid, opcode)] = _byGuid.GetValueOrDefault((guid, opcode)) + 1;
        Total++;
    }
}
