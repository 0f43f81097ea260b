namespace HandleEtw.Windows.Live;

/// <summary>Loss and buffer counters from ControlTrace(QUERY/STOP) (windows-live.md §5.4).</summary>
public readonly record struct SessionCounters(long EventsLost, long LogBuffersLost, long RealTimeBuffersLost, long BuffersWritten)
{
    public long BuffersLost => LogBuffersLost + RealTimeBuffersLost;
}

/// <summary>
/// The session's counters as last reported by a ControlTrace call that succeeded. A failed call (the session
/// already gone, stopped by logman or another tool, or any other error) leaves the properties block zeroed: taking
/// those zeros would make the next loss delta negative and the summary under-report, so they are ignored.
/// ERROR_MORE_DATA still filled the counters (only the names did not fit).
/// </summary>
public sealed class LastSessionCounters
{
    public const uint ErrorSuccess = 0, ErrorMoreData = 234;
    private readonly object _lock = new();
    private SessionCounters _last;

    public SessionCounters Last
    {
        get { lock (_lock) return _last; }
    }

    /// <summary>Failed calls that were ignored (for --verbose and tests).</summary>
    public int FailedCalls { get; private set; }

    /// <summary>Takes the counters of one ControlTrace call; returns what the session has lost so far.</summary>
    public SessionCounters Update(uint error, SessionCounters reported)
    {
        lock (_lock)
        {
            if (error is not (ErrorSuccess or ErrorMoreData))
            {
                FailedCalls++;
                return _last;
            }
            // A session's counters only grow; a smaller value would be a different session or a torn read.
            _last = new SessionCounters(
                Math.Max(_last.EventsLost, reported.EventsLost),
                Math.Max(_last.LogBuffersLost, reported.LogBuffersLost),
                Math.Max(_last.RealTimeBuffersLost, reported.RealTimeBuffersLost),
                Math.Max(_last.BuffersWritten, reported.BuffersWritten));
            return _last;
        }
    }
}
