using System.Buffers.Binary;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl.File;

/// <summary>
/// Puts one file's raw timestamps on the clock of the first file of a sequence. Files of one recording share the
/// session clock and keep their timestamps as they are; a file whose header places it on another clock (another
/// boot, another frequency) is moved by its header's start time.
/// </summary>
internal sealed class SequenceClock
{
    private readonly long _fileStart;
    private readonly long _timelineStart;
    private readonly long _fileFrequency;
    private readonly long _timelineFrequency;

    private SequenceClock(long fileStart, long timelineStart, long fileFrequency, long timelineFrequency, bool identity)
    {
        _fileStart = fileStart;
        _timelineStart = timelineStart;
        _fileFrequency = fileFrequency;
        _timelineFrequency = timelineFrequency;
        IsIdentity = identity;
    }

    /// <summary>True when the file already uses the timeline's clock.</summary>
    public bool IsIdentity { get; }

    /// <param name="tolerance">How far (timeline ticks) the header's start may sit from where the timeline's clock
    /// puts it and still count as the same clock (system time and the session clock drift apart slowly).</param>
    public static SequenceClock For(TraceInfo file, TraceInfo timeline, long tolerance)
    {
        long predicted = file.StartUtc == default ? file.StartTimestamp : timeline.FromUtc(file.StartUtc);
        bool same = file.ClockFrequency == timeline.ClockFrequency && file.ClockType == timeline.ClockType
            && Math.Abs(predicted - file.StartTimestamp) <= tolerance;
        return new SequenceClock(file.StartTimestamp, predicted, file.ClockFrequency, timeline.ClockFrequency, same);
    }

    public long Map(long timestamp) => IsIdentity ? timestamp
        : _timelineStart + (long)((Int128)(timestamp - _fileStart) * _timelineFrequency / _fileFrequency);
}

/// <summary>Passes records on with their timestamps on the timeline's clock, including the event timestamp a stack
/// record names its event by (the stack join matches the two).</summary>
internal sealed class RebasingSink(IRecordSink inner, SequenceClock clock) : IRecordSink
{
    private byte[] _payload = new byte[256];

    public void OnRecord(in EventRecord record)
    {
        long timestamp = clock.Map(record.Timestamp);
        if (record.Group != KernelGroup.StackWalk || !NamesEvent(record.Opcode) || record.Payload.Length < 8)
        {
            inner.OnRecord(record with { Timestamp = timestamp });
            return;
        }
        if (_payload.Length < record.Payload.Length) _payload = new byte[Math.Max(record.Payload.Length, _payload.Length * 2)];
        Span<byte> copy = _payload.AsSpan(0, record.Payload.Length);
        record.Payload.CopyTo(copy);
        BinaryPrimitives.WriteInt64LittleEndian(copy, clock.Map(BinaryPrimitives.ReadInt64LittleEndian(copy)));
        inner.OnRecord(record with { Timestamp = timestamp, Payload = copy });
    }

    private static bool NamesEvent(byte opcode) =>
        opcode is StackWalkPayloads.Stack or StackWalkPayloads.StackKeyKernel or StackWalkPayloads.StackKeyUser;
}
