namespace HandleEtw.Core.Records;

/// <summary>How a record was framed on disk (or, live, which header the OS reported).</summary>
public enum HeaderKind : byte
{
    System,
    Compact,
    PerfInfo,
    EventHeader,
    Full,
    Instance,
}

/// <summary>
/// The fixed fields of a record, everything but its payload and extended data, by value: what a reader parses ahead
/// and keeps, so that handing a record on copies one block (see <see cref="EventRecord"/>'s properties for each field).
/// </summary>
public struct RecordHeader
{
    public KernelGroup Group;
    public byte Opcode;
    public byte Version;
    public HeaderKind Header;
    public byte PointerSize;
    public ushort EventId;
    public ushort Cpu;
    public int ProcessId;
    public int ThreadId;
    public long Timestamp;
    /// <summary>As the source gave it: empty for a kernel event whose task GUID is left to the group.</summary>
    public Guid ProviderId;
}

/// <summary>
/// One raw event, as both the .etl reader and the live session hand it on. A ref struct so the payload is a
/// view into the source's buffer: nothing is copied per record. Valid only during the sink call.
/// </summary>
public ref struct EventRecord
{
    private RecordHeader _header;
    private ReadOnlySpan<byte> _payload;
    private ReadOnlySpan<byte> _extendedData;

    public EventRecord(scoped in RecordHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> extendedData) =>
        MoveTo(header, payload, extendedData);

    /// <summary>Makes this instance the next record, in place: a source that hands on many records keeps one
    /// instance and moves it on, instead of building a new one (and copying it whole) for every call.</summary>
    public void MoveTo(scoped in RecordHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> extendedData)
    {
        _header = header;
        _payload = payload;
        _extendedData = extendedData;
    }

    /// <summary>Classic kernel events (System/Compact/PerfInfo headers, or a live record whose provider is a kernel task
    /// GUID): the kernel group (high byte of the hook id). <see cref="KernelGroup.None"/> otherwise.</summary>
    public KernelGroup Group { readonly get => _header.Group; init => _header.Group = value; }

    /// <summary>Kernel event type / classic opcode (FULL headers: Class.Type; EVENT_HEADER: descriptor opcode).</summary>
    public byte Opcode { readonly get => _header.Opcode; init => _header.Opcode = value; }

    /// <summary>Event version (kernel: the MOF version; EVENT_HEADER: descriptor version).</summary>
    public byte Version { readonly get => _header.Version; init => _header.Version = value; }

    /// <summary>Provider GUID (EVENT_HEADER), event GUID (FULL/INSTANCE), task GUID for kernel events when known
    /// (looked up from the group when the source gave none: few readers ask, so the reader does not fill it).</summary>
    public Guid ProviderId
    {
        readonly get => _header.ProviderId == Guid.Empty && Group != KernelGroup.None ? KernelTasks.TaskId(Group) : _header.ProviderId;
        init => _header.ProviderId = value;
    }

    /// <summary>EVENT_HEADER descriptor id (0 for classic events).</summary>
    public ushort EventId { readonly get => _header.EventId; init => _header.EventId = value; }

    public HeaderKind Header { readonly get => _header.Header; init => _header.Header = value; }

    /// <summary>4 or 8: pointer size of this event's producer (decided per event, never per file).</summary>
    public byte PointerSize { readonly get => _header.PointerSize; init => _header.PointerSize = value; }

    /// <summary>-1 when the header carries none (PERFINFO).</summary>
    public int ProcessId { readonly get => _header.ProcessId; init => _header.ProcessId = value; }

    /// <summary>-1 when the header carries none (PERFINFO).</summary>
    public int ThreadId { readonly get => _header.ThreadId; init => _header.ThreadId = value; }

    public ushort Cpu { readonly get => _header.Cpu; init => _header.Cpu = value; }

    /// <summary>Raw session clock value (QPC ticks for ClockType 1).</summary>
    public long Timestamp { readonly get => _header.Timestamp; init => _header.Timestamp = value; }

    public ReadOnlySpan<byte> Payload { readonly get => _payload; init => _payload = value; }

    /// <summary>EVENT_HEADER extended data items, raw (8-byte item headers then data); empty otherwise.</summary>
    public ReadOnlySpan<byte> ExtendedData { readonly get => _extendedData; init => _extendedData = value; }

    public readonly bool IsKernel => Group != KernelGroup.None;
}

/// <summary>Receives records in timestamp order.</summary>
public interface IRecordSink
{
    void OnRecord(in EventRecord record);
}

/// <summary>
/// A sink that wants to hear of a record coming soon (the next one of the stream being delivered, usually the next
/// call), to start loading what it will look up for it. Only a hint: the record may never be delivered, and nothing
/// may depend on it. Sources that can look ahead ask for it once per batch, so other sinks pay nothing.
/// </summary>
public interface IRecordLookahead
{
    void Upcoming(in RecordHeader header, ReadOnlySpan<byte> payload);
}

/// <summary>
/// A sink that wants to know where one file of a sequence ends and the next begins (the decoder passes it on in
/// order with the events, for rundown reconciliation). Sources call it between records, never inside one.
/// </summary>
public interface ISegmentSink
{
    void OnSegment(in Events.TraceSegment segment);
}

/// <summary>
/// The one interface between where records come from (an .etl file, a live ETW session, a replay in tests) and the
/// platform-neutral pipeline. <see cref="Read"/> pushes every record, in time order, then returns.
/// </summary>
public interface IRecordSource : IDisposable
{
    /// <summary>Known before the first record is pushed.</summary>
    TraceInfo Info { get; }

    /// <summary>Pushes records until the end of the source or until <paramref name="cancel"/> fires.
    /// Damage the source can step over is counted in <see cref="Info"/>; other damage throws
    /// <see cref="TraceFormatException"/>.</summary>
    void Read(IRecordSink sink, CancellationToken cancel = default);
}
