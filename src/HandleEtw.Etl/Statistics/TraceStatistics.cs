using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl.Statistics;

/// <summary>What `handleetw stats` reports about one trace.</summary>
public sealed record TraceStatisticsReport(TraceInfo Info, long Events, SortedDictionary<string, long> ByKind, long EventsWithStacks);

/// <summary>
/// One read of a source: raw record counts, how many events got a stack, and the decoded events handed to an
/// optional consumer (the handle tracker, for the live-handle summary).
/// </summary>
public static class TraceStatistics
{
    /// <remarks>A consumer runs on a thread of its own (<see cref="BackgroundConsumer"/>), as in <see cref="TracePipeline"/>.</remarks>
    public static TraceStatisticsReport Collect(IRecordSource source, TraceConsumer? consumer = null, CancellationToken cancel = default)
    {
        var counts = new RecordStatistics();
        using var background = consumer is null ? null : new BackgroundConsumer(consumer);
        var decoder = new TraceDecoder(source.Info, new StackTable(), (TraceConsumer?)background ?? new NullConsumer());
        source.Read(new FanOut(counts, decoder), cancel);
        decoder.Finish();
        return new TraceStatisticsReport(source.Info, counts.Events, counts.ByKind(), decoder.Counters.EventsWithStacks);
    }

    /// <summary>Counts every record and feeds the decoder.</summary>
    private sealed class FanOut(RecordStatistics counts, TraceDecoder decoder) : IRecordSink
    {
        public void OnRecord(in EventRecord record)
        {
            counts.OnRecord(record);
            decoder.OnRecord(record);
        }
    }

    private sealed class NullConsumer : TraceConsumer;
}
