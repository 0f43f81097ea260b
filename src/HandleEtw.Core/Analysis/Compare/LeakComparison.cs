namespace HandleEtw.Core.Analysis.Compare;

/// <summary>What happened to a group between the two traces; the order is the rank (worst news first).</summary>
public enum CompareVerdict { NewLeak, Worse, StillLeaking, Better, Fixed, Flat }

/// <summary>One leak group of a trace that a compared group is made of: its process and create stack id.</summary>
public readonly record struct GroupPart(int Pid, int StackId);

/// <summary>One trace's view of a matched group (several pids of one image add up).</summary>
/// <param name="PerMinute">Growth in handles per minute (GrowthRule), so traces of different lengths compare.</param>
public sealed record CompareSide(int Outstanding, int Opened, double PerMinute, bool Growing, string Reason,
                                 IReadOnlyList<int> Pids, IReadOnlyList<string> Stack)
{
    /// <summary>The trace's own leak groups that add up to this side (to follow them over time on a replay).</summary>
    public IReadOnlyList<GroupPart> Parts { get; init; } = [];
}

/// <param name="MatchedBy">How the two sides were paired; null when the group is in one trace only.</param>
/// <param name="Uncertain">A trace the verdict rests on is lossy: the counts may be incomplete.</param>
public sealed record ComparedGroup(string Process, string Type, CompareVerdict Verdict, bool Uncertain,
                                   StackMatch? MatchedBy, CompareSide? Before, CompareSide? After);

/// <summary>One trace as compare saw it.</summary>
public sealed record ComparedTrace(string Source, double Seconds, bool Lossy, bool Symbolized);

public sealed record CompareReport(ComparedTrace Before, ComparedTrace After, StackMatch Matching,
                                   IReadOnlyList<ComparedGroup> Groups);

/// <summary>
/// Pairs the leak groups of two traces (before and after a fix) by image name, object type and create stack, and
/// judges each pair. Stacks are paired first by their full key (module!function when both traces are symbolized,
/// else module+offset), then, among what is left, by user-frame signature where it names one group on each side.
/// </summary>
public static class LeakComparison
{
    /// <summary>A growth rate this many times higher (lower) after is worse (better); between, still leaking.</summary>
    public const double RateFactor = 2.0;

    public const string Rule =
        "fixed: growing before, flat or gone after. new leak: growing only after. still leaking: growing in both at a " +
        "rate within a factor of 2; worse / better: growing in both, at least 2x faster / at most half as fast after. " +
        "flat: growing in neither. Rates are handles per minute, so traces of different lengths compare.";

    public static CompareReport Compare(ComparedTrace before, LeakReport beforeLeaks, ComparedTrace after, LeakReport afterLeaks)
    {
        StackMatch primary = before.Symbolized && after.Symbolized ? StackMatch.Symbols : StackMatch.ModuleOffset;
        var b = Aggregate(beforeLeaks, primary);
        var a = Aggregate(afterLeaks, primary);
        var pairs = new List<(Aggregated? B, Aggregated? A, StackMatch? By)>();
        foreach (var (key, group) in b)
            if (a.Remove(key, out Aggregated? match)) pairs.Add((group, match, primary));
        foreach (var key in pairs.Select(p => p.B!.Key).ToList()) b.Remove(key);
        PairBySignature(b, a, pairs);
        pairs.AddRange(b.Values.Select(g => ((Aggregated?)g, (Aggregated?)null, (StackMatch?)null)));
        pairs.AddRange(a.Values.Select(g => ((Aggregated?)null, (Aggregated?)g, (StackMatch?)null)));
        bool uncertain = before.Lossy || after.Lossy;
        var groups = pairs.Select(p =>
            {
                Aggregated any = p.A ?? p.B!;
                return new ComparedGroup(any.Process, any.Type, Judge(p.B?.Side, p.A?.Side), uncertain, p.By, p.B?.Side, p.A?.Side);
            })
            .OrderBy(g => g.Verdict)
            .ThenByDescending(g => Math.Max(g.After?.PerMinute ?? 0, g.Before?.PerMinute ?? 0))
            .ThenByDescending(g => Math.Max(g.After?.Outstanding ?? 0, g.Before?.Outstanding ?? 0))
            .ThenBy(g => g.Process, StringComparer.Ordinal).ThenBy(g => g.Type, StringComparer.Ordinal)
            .ToList();
        return new CompareReport(before, after, primary, groups);
    }

    public static CompareVerdict Judge(CompareSide? before, CompareSide? after)
    {
        bool was = before?.Growing == true, now = after?.Growing == true;
        if (was && !now) return CompareVerdict.Fixed;
        if (!was && now) return CompareVerdict.NewLeak;
        if (!was) return CompareVerdict.Flat;
        if (after!.PerMinute >= before!.PerMinute * RateFactor) return CompareVerdict.Worse;
        if (after.PerMinute * RateFactor <= before.PerMinute) return CompareVerdict.Better;
        return CompareVerdict.StillLeaking;
    }

    private sealed record Aggregated(string Key, string Process, string Type, string Signature, CompareSide Side);

    /// <summary>The groups of one trace by (image, type, stack key); the pids of one image add up.</summary>
    private static Dictionary<string, Aggregated> Aggregate(LeakReport report, StackMatch match) =>
        report.Leaks.Concat(report.Flat)
            .GroupBy(l => $"{StackIdentity.ModuleName(l.Process)}\n{l.Type}\n{StackIdentity.Key(l.Stack, match)}")
            .ToDictionary(g => g.Key, g =>
            {
                LeakEntry first = g.First();
                LeakEntry fastest = g.MaxBy(l => l.PerMinute)!;
                var side = new CompareSide(g.Sum(l => l.Outstanding), g.Sum(l => l.Created), Math.Round(g.Sum(l => l.PerMinute), 3),
                    g.Any(l => l.Growing), fastest.Reason, g.Select(l => l.Pid).Distinct().Order().ToList(), first.Stack)
                    { Parts = g.Select(l => new GroupPart(l.Pid, l.StackId)).ToList() };
                string signature = $"{StackIdentity.ModuleName(first.Process)}\n{first.Type}\n{StackIdentity.Key(first.Stack, StackMatch.Signature)}";
                return new Aggregated(g.Key, first.Process, first.Type, signature, side);
            });

    /// <summary>A signature pairs two leftovers only when it names exactly one group in each trace.</summary>
    private static void PairBySignature(Dictionary<string, Aggregated> before, Dictionary<string, Aggregated> after,
                                        List<(Aggregated? B, Aggregated? A, StackMatch? By)> pairs)
    {
        var afterBySignature = after.Values.GroupBy(g => g.Signature).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single());
        foreach (var group in before.Values.GroupBy(g => g.Signature).Where(g => g.Count() == 1).Select(g => g.Single()).ToList())
        {
            if (!afterBySignature.TryGetValue(group.Signature, out Aggregated? match)) continue;
            pairs.Add((group, match, StackMatch.Signature));
            before.Remove(group.Key);
            after.Remove(match.Key);
        }
    }
}
