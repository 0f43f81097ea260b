using HandleEtw.Core.Events;

namespace HandleEtw.Windows.Recording;

public enum WatchdogVerdict
{
    Fine,
    Warn,
    Stop,
}

/// <summary>
/// A session can be accepted and still deliver no handle events: EnableTraceEx2 accepts provider GUIDs the OS does
/// not have, and a group mask can be taken and ignored. A running Windows machine opens and closes handles all the
/// time (this process does too), so none after a few seconds means the path does not work, whichever was used: warn,
/// then stop with one line instead of recording nothing for hours.
/// </summary>
public sealed class HandleEventWatchdog(TimeSpan warnAfter, TimeSpan stopAfter) : TraceConsumer
{
    public static HandleEventWatchdog Default() => new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));

    private long _handleEvents;
    private bool _warned;

    public TimeSpan WarnAfter { get; } = warnAfter;
    public TimeSpan StopAfter { get; } = stopAfter;

    /// <summary>Create/close/duplicate events seen (not the inventory's rows, which are not events of the session).</summary>
    public long HandleEvents => Interlocked.Read(ref _handleEvents);

    public override void OnHandle(in HandleEvent e)
    {
        if (e.Op is HandleOp.Create or HandleOp.Close or HandleOp.Duplicate) Interlocked.Increment(ref _handleEvents);
    }

    /// <summary>Called about once a second with the time since the session started; Warn is returned once.</summary>
    public WatchdogVerdict Check(TimeSpan elapsed)
    {
        if (HandleEvents > 0) return WatchdogVerdict.Fine;
        if (elapsed >= StopAfter) return WatchdogVerdict.Stop;
        if (elapsed >= WarnAfter && !_warned)
        {
            _warned = true;
            return WatchdogVerdict.Warn;
        }
        return WatchdogVerdict.Fine;
    }

    public string WarningMessage(long records) =>
        $"warning: no handle event in {WarnAfter.TotalSeconds:0} s ({records} other records arrived); stopping at {StopAfter.TotalSeconds:0} s if none comes";

    public string StopMessage(long records, string path) =>
        $"no handle event arrived in {StopAfter.TotalSeconds:0} s ({records} other records) although the session was accepted ({path}): " +
        "this Windows build does not deliver them on that path; record with WPR instead (docs/recording.md)";
}
