using System.Globalization;

namespace HandleEtw.Windows.Recording;

public enum RundownEnd
{
    /// <summary>Every runtime that began completed, and nothing more arrived for the quiet period.</summary>
    Completed,
    /// <summary>No runtime began a rundown: no .NET process is running, or none answers.</summary>
    NoAnswer,
    /// <summary>The timeout came first: the session stops with what arrived; unfinished runtimes' older frames may stay addresses.</summary>
    TimedOut,
    /// <summary>The rundown provider could not be enabled (EnableTraceEx2 failed).</summary>
    Failed,
    /// <summary>Stopped from outside (a second Ctrl+C, console close): the session was stopped at once.</summary>
    Abandoned,
}

/// <summary>How the stop-time rundown went, for the end-of-run summary.</summary>
public sealed record RundownOutcome(RundownEnd End, RundownSnapshot Progress, TimeSpan Elapsed, uint Error = 0, bool MethodsAsked = true)
{
    public string Summary()
    {
        var inv = CultureInfo.InvariantCulture;
        RundownSnapshot p = Progress;
        string counts = string.Format(inv, "{0} of {1} .NET processes completed, {2:N0} methods, {3:N0} modules in {4:F1} s",
            p.Completed, p.Begun, p.Methods, p.Modules, Elapsed.TotalSeconds);
        return End switch
        {
            RundownEnd.Completed => ".NET rundown: " + counts,
            RundownEnd.NoAnswer => string.Format(inv, ".NET rundown: no .NET process answered in {0:F1} s", Elapsed.TotalSeconds),
            RundownEnd.TimedOut => $".NET rundown timed out: {counts}; still running in pid {string.Join(", ", p.Unfinished)}: " +
                                   "frames of methods compiled before the recording may stay addresses there",
            RundownEnd.Failed => $".NET rundown not started: enabling the rundown provider failed with Win32 error {Error}" +
                                 (MethodsAsked ? "" : " (modules only were listed)"),
            _ => ".NET rundown abandoned (the session was stopped at once): " + counts,
        };
    }
}

/// <summary>
/// The .NET rundown at the stop of `record`, before the session is stopped: enable the rundown provider with Loader |
/// EndRundown (every runtime lists its modules), a moment later with Jit and IL maps too (every runtime lists its
/// JIT-compiled methods), then flush and watch the progress until every runtime that began has completed and the
/// stream is quiet, no runtime answered at all, or the timeout. Progress goes to <paramref name="report"/> about once a
/// second. Platform-neutral: the live session passes EnableTraceEx2 and ControlTrace(FLUSH), tests a fake clock.
/// </summary>
public sealed class ClrRundownSequence(ClrCapture capture, Func<ulong, uint> enable, Action flush, Func<RundownSnapshot> progress,
    Func<TimeSpan> clock, Action<TimeSpan> sleep, Action<string>? report = null)
{
    public static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    public RundownOutcome Run(CancellationToken abandon = default)
    {
        TimeSpan start = clock();
        uint error = enable(ClrCapture.RundownModuleKeywords);
        if (error != 0) return new RundownOutcome(RundownEnd.Failed, progress(), clock() - start, error, MethodsAsked: false);
        sleep(capture.StepDelay);
        if (abandon.IsCancellationRequested) return new RundownOutcome(RundownEnd.Abandoned, progress(), clock() - start);
        error = enable(ClrCapture.RundownMethodKeywords);
        if (error != 0) return Wait(start, abandon) with { End = RundownEnd.Failed, Error = error, MethodsAsked = false };
        return Wait(start, abandon);
    }

    /// <summary>Polls until a verdict; the timeout counts from the first enable, so the whole stop stays bounded. The
    /// quiet period starts at the first poll after step 2 at the earliest: a runtime done with its module list is not
    /// taken for done before it had time to begin its method list.</summary>
    private RundownOutcome Wait(TimeSpan start, CancellationToken abandon)
    {
        TimeSpan asked = clock(), lastChange = asked, lastReport = asked;
        long lastEvents = -1;
        while (true)
        {
            sleep(capture.Poll);
            flush();
            TimeSpan now = clock();
            RundownSnapshot p = progress();
            if (p.Events != lastEvents)
            {
                lastEvents = p.Events;
                lastChange = now;
            }
            RundownEnd? end = abandon.IsCancellationRequested ? RundownEnd.Abandoned : Verdict(p, now - start, now - asked, now - lastChange);
            if (end is { } done) return new RundownOutcome(done, p, now - start);
            if (now - lastReport >= ReportEvery)
            {
                lastReport = now;
                report?.Invoke(string.Format(CultureInfo.InvariantCulture, ".NET rundown: {0} of {1} processes done, {2:N0} methods, {3:F0} s of at most {4:F0} s",
                    p.Completed, p.Begun, p.Methods, (now - start).TotalSeconds, capture.RundownTimeout.TotalSeconds));
            }
        }
    }

    /// <summary>The decision, from what arrived and how long it has been: null to keep waiting.</summary>
    public RundownEnd? Verdict(RundownSnapshot p, TimeSpan sinceStart, TimeSpan sinceMethodsAsked, TimeSpan quiet)
    {
        bool allDone = p.Begun > 0 && p.Unfinished.Count == 0;
        if (allDone && quiet >= capture.QuietPeriod) return RundownEnd.Completed;
        if (p.Begun == 0 && p.Events == 0 && sinceMethodsAsked >= capture.NoAnswerWait) return RundownEnd.NoAnswer;
        if (sinceStart >= capture.RundownTimeout) return allDone ? RundownEnd.Completed : RundownEnd.TimedOut;
        return null;
    }
}
