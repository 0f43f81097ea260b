using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

/// <summary>One (process, type, create stack) group with handles open at the end. FirstOpen/LastOpen: open times
/// (seconds from trace start) of its oldest and newest live handle; Reason says why it is growing or flat; Origin is
/// the origin its live handles share (`created`, `duplicated`, `rundown`, `inherited`) or `mixed`; StackId is the
/// create stack's canonical id in this trace's stack table (-1 without one), to find the group again on a replay.</summary>
public sealed record LeakEntry(int Pid, string Process, string Type, int Outstanding, int Created, double PerMinute,
                               bool Growing, double FirstOpen, double LastOpen, string Reason, IReadOnlyList<string> Stack,
                               string Origin = "created", int StackId = -1)
{
    /// <summary>`kernel`, `gdi` or `user`.</summary>
    public string HandleKind { get; init; } = "kernel";
}

/// <summary>Leaks holds the growing groups in rank order, Flat the groups that hold handles without growing.</summary>
public sealed record LeakReport(bool Lossy, IReadOnlyList<LeakEntry> Leaks, IReadOnlyList<LeakEntry> Flat)
{
    /// <summary>Growing and flat groups past the `top` cap, so a page can say what it did not list.</summary>
    public int LeaksLeftOut { get; init; }
    public int FlatLeftOut { get; init; }
}

/// <summary>Handles open at the end, grouped by (process, type, create stack): growing groups ranked as leaks, flat
/// ones listed apart (<see cref="GrowthRule"/>).</summary>
public static class LeakAnalysis
{
    /// <summary>The rule in two sentences, for help texts and reports.</summary>
    public const string Rule =
        "A group is growing when at least 3 of its handles are still open at the end, the newest of them was opened in " +
        "the second half of the trace (or of its process's life), and they were opened over at least a quarter of it " +
        "and at least 1 s. Handles opened early and kept, or in one short burst, are flat, whatever their number.";

    public static LeakReport Build(HandleTracker tracker, StackContext context, ProcessFilter filter, int top,
                                   Events.HandleKind? kind = Events.HandleKind.Kernel)
    {
        tracker.CanonicalizeStacks(context.Stacks, context.Modules.Managed);
        var groups = tracker.LeakGroupSummaries(kind).Where(g => filter.Matches(g.Pid, g.Process)).ToList();
        List<LeakEntry> Entries(bool growing) => groups.Where(g => g.Growing == growing).Take(top)
            .Select(g => new LeakEntry(g.Pid, g.Process, g.Type, g.Outstanding, g.Created, Math.Round(g.PerMinute, 3),
                g.Growing, Math.Round(g.FirstOpen, 6), Math.Round(g.LastOpen, 6), g.Verdict.Reason,
                context.Frames(g.StackId, g.StackPid, g.LabelTimestamp), g.Origin, g.StackId) { HandleKind = Events.HandleKinds.Name(g.Kind) })
            .ToList();
        int growing = groups.Count(g => g.Growing);
        return new LeakReport(tracker.Lossy, Entries(true), Entries(false))
        {
            LeaksLeftOut = Math.Max(0, growing - top), FlatLeftOut = Math.Max(0, groups.Count - growing - top),
        };
    }
}
