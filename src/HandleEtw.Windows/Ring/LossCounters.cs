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

    public void SetSession(long eventsLost, long buffersLost)
    {
        Volatile.Write(ref _sessionEvents, eventsLost);
        Volatile.Write(ref _sessionBuffers, buffersLost);
    }
}
