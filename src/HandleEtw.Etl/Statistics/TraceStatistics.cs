using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Etl.Statistics;

/// <summary>What `handleetw stats` reports about one trace.</summary>
public sealed record TraceStatisticsReport(TraceInfo Info, long Events, SortedDictionary<string, long> ByKind, long EventsWithStacks);

/// <summary>
/// One read of a source: raw record counts, how many events got a stack, and the decoded events handed to an
/// optional consumer (the handle tracker, for the live-handle summary).
/// </summary>
public static class TraceStatistics
{
    /// <remarks>Runs the shared pipeline: a consumer runs on a thread of its own, as everywhere.</remarks>
    public static TraceStatisticsReport Collect(IRecordSource source, TraceConsumer? consumer = null, CancellationToken cancel = default)
    {
        var counts = new RecordStatistics();
        PipelineResult result = TracePipeline.Run(source, consumer ?? new NullConsumer(), new StackTable(), cancel,
            inline: consumer is null, rawRecords: counts);
        return new TraceStatisticsReport(source.Info, counts.Events, counts.ByKind(), result.Counters.EventsWithStacks);
    }

    private sealed class NullConsumer : TraceConsumer;
}
