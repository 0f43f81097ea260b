using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl;

/// <summary>
/// Source → decode → stack join → consumer, in one call. The consumer runs on a second thread
/// (<see cref="BackgroundConsumer"/>) unless `inline` is set: it sees the same events in the same
/// order either way, and everything is handed over before Run returns or throws.
/// </summary>
public static class TracePipeline
{
    public static PipelineResult Run(IRecordSource source, TraceConsumer consumer, CancellationToken cancel = default) =>
        Run(source, consumer, new StackTable(), cancel);

    /// <summary>
    /// Same, interning stacks into a table the caller owns: a consumer that writes stacks (Parquet) can read it
    /// even when the run is cancelled or fails before returning.
    /// </summary>
    /// <param name="rawRecords">Also sees every raw record, before the decoder does (record statistics).</param>
    public static PipelineResult Run(IRecordSource source, TraceConsumer consumer, StackTable stacks,
        CancellationToken cancel = default, bool inline = false, IRecordSink? rawRecords = null)
    {
        if (inline) return Decode(source, consumer, stacks, cancel, rawRecords);
        using var background = new BackgroundConsumer(consumer);
        return Decode(source, background, stacks, cancel, rawRecords);
    }

    private static PipelineResult Decode(IRecordSource source, TraceConsumer consumer, StackTable stacks,
        CancellationToken cancel, IRecordSink? rawRecords)
    {
        var decoder = new TraceDecoder(source.Info, stacks, consumer);
        (source as IReportsProgress)?.Progress.Follow(decoder.Counters);
        source.Read(rawRecords is null ? decoder : new RecordFanOut(rawRecords, decoder), cancel);
        decoder.Finish();
        return new PipelineResult(source.Info, stacks, decoder.Counters);
    }
}

public sealed record PipelineResult(TraceInfo Info, StackTable Stacks, DecoderCounters Counters);
