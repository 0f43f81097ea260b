using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Reports.Collect;

/// <summary>
/// A trace that can be replayed into a consumer, once per call (the report reads it twice: the top create stacks are
/// known only at the end, and their time series come from a second pass). Each replay must deliver the same events in
/// the same order, so stack ids agree between passes.
/// </summary>
public sealed class ReportInput(TraceInfo info, Func<TraceConsumer, StackContext> replay)
{
    public TraceInfo Info { get; } = info;

    public StackContext Replay(TraceConsumer consumer) => replay(consumer);
}
