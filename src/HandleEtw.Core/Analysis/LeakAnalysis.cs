using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

public sealed record LeakEntry(int Pid, string Process, string Type, int Outstanding, int Created, double PerMinute,
                               bool Growing, IReadOnlyList<string> Stack);

public sealed record LeakReport(bool Lossy, IReadOnlyList<LeakEntry> Leaks);

/// <summary>Handles open at the end, grouped by (process, type, create stack), growing groups first.</summary>
public static class LeakAnalysis
{
    /// <summary>Below this growth (handles per minute) a group counts as flat.</summary>
    public const double GrowthThreshold = 0.5;

    public static LeakReport Build(HandleTracker tracker, StackContext context, ProcessFilter filter, int top)
    {
        var leaks = tracker.LeakGroupSummaries(GrowthThreshold)
            .Where(g => filter.Matches(g.Pid, g.Process))
            .Take(top)
            .Select(g => new LeakEntry(g.Pid, g.Process, g.Type, g.Outstanding, g.Created, Math.Round(g.PerMinute, 3),
                g.PerMinute >= GrowthThreshold, context.Frames(g.StackId, g.Pid, tracker.LastTimestamp)))
            .ToList();
        return new LeakReport(tracker.Lossy, leaks);
    }
}
