namespace HandleEtw.Windows.Ring;

/// <summary>
/// Loss totals a source keeps while running (live: ControlTrace(QUERY) each second; every source: ring drops).
/// Written by a timer thread, read by the consumer thread, which turns deltas into LossEvents in the stream.
/// </summary>
public sealed class LossCounters
{
    private long _sessionEvents, _sessionBuffers;

    public long SessionEventsLost => Volatile.Read(ref _sessionEvents);
    public long SessionBuffersLost => Volatile.Read(ref _sessionBuffers);

    /// <summary>Session totals only grow: a smaller value (a failed query's zeros) never lowers them.</summary>
    public void SetSession(long eventsLost, long buffersLost)
    {
        RaiseTo(ref _sessionEvents, eventsLost);
        RaiseTo(ref _sessionBuffers, buffersLost);
    }

    private static void RaiseTo(ref long field, long value)
    {
        long current = Volatile.Read(ref field);
        while (value > current)
        {
            long seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
