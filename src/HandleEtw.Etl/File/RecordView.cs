using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>One parsed record, as offsets into the buffer it came from (so the merge can hold it without copying).</summary>
internal struct RecordView
{
    public HeaderKind Header;
    public KernelGroup Group;
    public byte Opcode;
    public byte Version;
    public byte PointerSize;
    public ushort EventId;
    public Guid ProviderId;
    public int ProcessId;
    public int ThreadId;
    public long Timestamp;
    public int PayloadOffset;
    public int PayloadLength;
    public int ExtendedOffset;
    public int ExtendedLength;

    public readonly EventRecord ToRecord(ReadOnlySpan<byte> buffer, ushort cpu) => new()
    {
        Group = Group,
        Opcode = Opcode,
        Version = Version,
        ProviderId = ProviderId,
        EventId = EventId,
        Header = Header,
        PointerSize = PointerSize,
        ProcessId = ProcessId,
        ThreadId = ThreadId,
        Cpu = cpu,
        Timestamp = Timestamp,
        Payload = buffer.Slice(PayloadOffset, PayloadLength),
        ExtendedData = buffer.Slice(ExtendedOffset, ExtendedLength),
    };
}
