using HandleEtw.Core.Analysis;
using HandleEtw.Core.Analysis.Compare;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Reports.Collect;

/// <summary>One trace of a comparison, named as the user gave it.</summary>
public sealed record CompareInput(string Name, ReportInput Trace);

/// <summary>One trace read for `compare`: how compare saw it, its leak groups, the stacks to replay them with, and
/// whether it has handle events at all (without them every group would read as fixed or gone).</summary>
public sealed record ComparedAnalysis(ComparedTrace Trace, LeakReport Leaks, StackContext Context, TraceCoverage Coverage);

/// <summary>What the comparison page shows: the verdicts, the groups listed (each with its chart), the flat ones.</summary>
/// <param name="Listed">Groups growing in either trace, in rank order, up to the page's limit; one chart each.</param>
/// <param name="Flat">Groups growing in neither trace (listed in a table, not charted).</param>
public sealed record ComparePage(CompareReport Report, IReadOnlyList<ComparedGroup> Listed, IReadOnlyList<TimeChart> Charts,
                                 IReadOnlyList<ComparedGroup> Flat)
{
    /// <summary>Groups growing in either trace that did not fit the limit.</summary>
    public int More => Report.Groups.Count - Flat.Count - Listed.Count;

    public DateTime GeneratedUtc { get; init; } = DateTime.UtcNow;
}

/// <summary>
/// `compare` and `report --compare`: both traces analysed with the leaks rule, their groups paired and judged
/// (<see cref="LeakComparison"/>); the page then replays each trace once more to follow the listed groups over time.
/// </summary>
public static class CompareBuilder
{
    public static ComparedAnalysis Analyse(CompareInput input, ProcessFilter filter)
    {
        var tracker = new HandleTracker(input.Trace.Info);
        var coverage = new TraceCoverage(input.Trace.Info);
        StackContext context = input.Trace.Replay(new CompositeConsumer(tracker, coverage));
        LeakReport leaks = LeakAnalysis.Build(tracker, context, filter, int.MaxValue);
        bool symbolized = leaks.Leaks.Concat(leaks.Flat).Any(l => StackIdentity.IsSymbolized(l.Stack));
        double seconds = Math.Round(TraceSpan.Of(input.Trace.Info, tracker.LastTimestamp).Seconds, 3);
        return new ComparedAnalysis(new ComparedTrace(input.Name, seconds, leaks.Lossy, symbolized), leaks, context, coverage);
    }

    public static CompareReport Compare(ComparedAnalysis before, ComparedAnalysis after) =>
        LeakComparison.Compare(before.Trace, before.Leaks, after.Trace, after.Leaks);

    /// <param name="top">Groups growing in either trace that get a chart, in rank order.</param>
    public static ComparePage Build(CompareInput before, CompareInput after, ProcessFilter filter, int top, int maxSamples = 500) =>
        Build(before, Analyse(before, filter), after, Analyse(after, filter), top, maxSamples);

    /// <summary>The page from traces already analysed (<see cref="Analyse"/>); replays each once more.</summary>
    public static ComparePage Build(CompareInput before, ComparedAnalysis b, CompareInput after, ComparedAnalysis a, int top,
                                    int maxSamples = 500)
    {
        CompareReport report = Compare(b, a);
        IReadOnlyList<ComparedGroup> listed = CompareText.Listed(report, top, all: false);
        GroupSeries beforeSeries = Sample(before.Trace, b.Context, listed.Select(g => (g.Before, g.Type)), maxSamples);
        GroupSeries afterSeries = Sample(after.Trace, a.Context, listed.Select(g => (g.After, g.Type)), maxSamples);
        var charts = listed.Select((g, i) => Chart(i + 1, g, (beforeSeries, before.Name), (afterSeries, after.Name))).ToList();
        return new ComparePage(report, listed, charts, report.Groups.Where(g => g.Verdict == CompareVerdict.Flat).ToList());
    }

    /// <summary>The outstanding count of each side's parts over time, from one more replay of its trace.</summary>
    private sealed record GroupSeries(IReadOnlyList<double> Times, Func<CompareSide, int[]> Values);

    private static GroupSeries Sample(ReportInput input, StackContext context, IEnumerable<(CompareSide? Side, string Type)> sides,
                                      int maxSamples)
    {
        var keys = new Dictionary<CompareSide, List<GroupKey>>(ReferenceEqualityComparer.Instance);
        foreach (var (side, type) in sides)
            if (side is not null) keys[side] = side.Parts.Select(p => new GroupKey(p.Pid, type, p.StackId)).ToList();
        if (keys.Count == 0) return new GroupSeries([], _ => []);
        // The grid starts at the trace's start, so an .etl and its Parquet directory sample alike.
        var pass = new StackPass(input.Info, keys.Values.SelectMany(k => k), context.Stacks.Canonical,
            FirstPass.InitialWidth(input.Info, maxSamples), maxSamples, origin: input.Info.StartTimestamp);
        input.Replay(pass);
        int n = pass.Sampler.Count;
        var times = Enumerable.Range(0, n).Select(i => input.Info.ToRelativeTicks(pass.Sampler.TimeOf(i)) / 1e7).ToList();
        return new GroupSeries(times, side =>
        {
            int[] sum = new int[n];
            foreach (GroupKey key in keys.GetValueOrDefault(side) ?? [])
                if (pass.Sampler.Series.TryGetValue(key, out int[]? values))
                    for (int i = 0; i < n; i++) sum[i] += values[i];
            return sum;
        });
    }

    /// <summary>Before and after on one chart, each on seconds from its own trace's start: equal rates draw equal slopes.
    /// A side without the group keeps its line (empty), so before and after keep their colours on every chart.</summary>
    private static TimeChart Chart(int rank, ComparedGroup g, (GroupSeries Series, string Name) before, (GroupSeries Series, string Name) after)
    {
        static ChartSeries Line(string label, CompareSide? side, (GroupSeries Series, string Name) trace) => side is null
            ? new ChartSeries($"{label}: none open at the end", trace.Name, []) { Times = [] }
            : new ChartSeries($"{label}: {CompareText.Side(side)}", trace.Name, trace.Series.Values(side)) { Times = trace.Series.Times };
        var lines = new[] { Line("before", g.Before, before), Line("after", g.After, after) with { Dashed = true } };
        return new TimeChart($"chart-group-{rank}", $"#{rank} {g.Process} {g.Type}: open handles before and after", [], lines, null, null)
            { XLabel = "seconds from each trace's start" };
    }
}
