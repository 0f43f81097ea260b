using HandleEtw.Core.Analysis;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Windows.Recording;

/// <summary>The end-of-run analyses, in the shapes `handleetw diff` and `handleetw leaks` print.</summary>
public sealed record EndReport(DiffReport Diff, LeakReport Leaks)
{
    /// <summary>
    /// Diff from the first snapshot to the end and the leak ranking, kept to the target processes. The target set
    /// (several pids, followed by image name) is wider than a <see cref="ProcessFilter"/>, so rows are filtered here.
    /// </summary>
    public static EndReport Build(HandleTracker tracker, DiffRecorder diff, StackContext context, TargetFilter filter, int top)
    {
        DiffReport d = diff.Report(context, ProcessFilter.All);
        LeakReport l = LeakAnalysis.Build(tracker, context, ProcessFilter.All, filter.IsActive ? int.MaxValue : top);
        if (!filter.IsActive) return new EndReport(d, l);
        d = d with
        {
            Handles = d.Handles.Where(h => filter.IsTarget(h.Pid)).ToList(),
            Groups = d.Groups.Where(g => filter.IsTarget(g.Pid)).ToList(),
        };
        l = l with { Leaks = l.Leaks.Where(e => filter.IsTarget(e.Pid)).Take(top).ToList() };
        return new EndReport(d, l);
    }

    public void Write(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine("== diff: first snapshot → end ==");
        TextReports.Diff(w, Diff);
        w.WriteLine();
        w.WriteLine("== leaks ==");
        TextReports.Leaks(w, Leaks);
    }
}
