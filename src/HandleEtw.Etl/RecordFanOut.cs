using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl;

/// <summary>Hands every record (and every file boundary of a sequence) to two sinks, the first one first.</summary>
public sealed class RecordFanOut(IRecordSink first, IRecordSink second) : IRecordSink, ISegmentSink, IRecordLookahead
{
    private readonly IRecordLookahead? firstAhead = first as IRecordLookahead, secondAhead = second as IRecordLookahead;

    internal IRecordSink First => first;
    internal IRecordSink Second => second;

    public void OnRecord(in EventRecord record)
    {
        first.OnRecord(record);
        second.OnRecord(record);
    }

    public void Upcoming(in RecordHeader header, ReadOnlySpan<byte> payload)
    {
        firstAhead?.Upcoming(header, payload);
        secondAhead?.Upcoming(header, payload);
    }

    public void OnSegment(in TraceSegment segment)
    {
        (first as ISegmentSink)?.OnSegment(segment);
        (second as ISegmentSink)?.OnSegment(segment);
    }
}
