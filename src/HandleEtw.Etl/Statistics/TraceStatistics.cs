using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl.Statistics;

/// <summary>What `handleetw stats` reports about one trace.</summary>
public sealed record TraceStatisticsReport(TraceInfo Info, long Events, SortedDictionary<string, long> ByKind, long? EventsWithStacks);

/// <summary>
/// One read of a source: raw record counts plus, when the decoder is available, how many events got a stack.
/// </summary>
public static class TraceStatistics
{
    public static TraceStatisticsReport Collect(IRecordSource source, CancellationToken cancel = default)
    {
        var counts = new RecordStatistics();
        var decoder = new TraceDecoder(source.Info, new StackTable(), new NullConsumer());
        var sink = new FanOut(counts, decoder);
        source.Read(sink, cancel);
        long? stacks = sink.DecoderFailed ? null : FinishDecoder(decoder);
        return new TraceStatisticsReport(source.Info, counts.Events, counts.ByKind(), stacks);
    }

    private static long? FinishDecoder(TraceDecoder decoder)
    {
        try
        {
            decoder.Finish();
            return decoder.Counters.EventsWithStacks;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Counts every record and feeds the decoder; a decoder that is not available in this build is
    /// dropped after its first refusal, so the counts still complete.</summary>
    private sealed class FanOut(RecordStatistics counts, TraceDecoder decoder) : IRecordSink
    {
        public bool DecoderFailed { get; private set; }

        public void OnRecord(in EventRecord record)
        {
            counts.OnRecord(record);
            if (DecoderFailed) return;
            try
            {
                decoder.OnRecord(record);
            }
            catch (NotSupportedException)
            {
                DecoderFailed = true;
            }
        }
    }

    private sealed class NullConsumer : TraceConsumer;
}
