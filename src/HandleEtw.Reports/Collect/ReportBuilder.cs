using HandleEtw.Core.Analysis;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Reports.Collect;

/// <summary>Reads a trace (two passes, the second only when something leaks) into what the HTML page shows.</summary>
public static class ReportBuilder
{
    public static ReportData Build(ReportInput input, ReportOptions options)
    {
        var first = new FirstPass(input.Info, options);
        StackContext context = input.Replay(first);
        HandleTracker tracker = first.Tracker;

        LeakReport leaks = LeakAnalysis.Build(tracker, context, options.Filter, options.TopLeaks);
        DiffReport diff = first.Diff(context, options.Filter);
        bool window = options.From is not null || options.To is not null;
        double? from = window ? diff.From : null, to = window ? diff.To : null;

        IReadOnlyList<double> times = Times(input.Info, first.Sampler);
        TimeChart processes = ProcessChart(first, options, times, from, to);
        TimeChart stacks = StackChart(input, first, context, options, times, from, to);

        var (types, leftOut) = TypeTable(first, options);
        return new ReportData(Summarize(input.Info, first), processes, stacks, types, leaks, diff,
            Math.Min(diff.Handles.Count, options.MaxDiffHandles))
        {
            Coverage = first.Coverage, TypesLeftOut = leftOut, Gui = Gui(tracker, context, options),
            GuiChart = GuiChart(input.Info, first, options),
        };
    }

    /// <summary>GDI and USER objects per process over time; its own grid, which starts at the first Win32k event.</summary>
    private static TimeChart GuiChart(TraceInfo info, FirstPass first, ReportOptions options)
    {
        IReadOnlyList<double> times = Times(info, first.GuiSampler);
        var series = TopByPeak(first.GuiSampler, k => (k.Pid, k.Process), times.Count, options,
            k => ($"{k.Kind} in {k.Process} ({k.Pid})", $"{k.Kind} objects, {k.Process}, pid {k.Pid}"));
        return new TimeChart("chart-gui", "GDI and USER objects per process (top by peak)", times, series, null, null) { YLabel = "objects" };
    }

    /// <summary>GDI and USER objects beside the kernel handles, for each kind the trace logged.</summary>
    private static IReadOnlyList<GuiObjects> Gui(HandleTracker tracker, StackContext context, ReportOptions options)
    {
        var result = new List<GuiObjects>();
        foreach (var (kind, name, events) in new[] { (Core.Events.HandleKind.Gdi, "GDI", tracker.Counters.GdiEvents),
                                                     (Core.Events.HandleKind.User, "USER", tracker.Counters.GuiEvents - tracker.Counters.GdiEvents) })
        {
            if (events == 0) continue;
            var live = tracker.SummarizeLiveHandles(kind).Where(p => options.Filter.Matches(p.Pid, p.Process)).ToList();
            result.Add(new GuiObjects(name, events, live, LeakAnalysis.Build(tracker, context, options.Filter, options.TopLeaks, kind)));
        }
        return result;
    }

    private static IReadOnlyList<double> Times<TKey>(TraceInfo info, TimeSampler<TKey> sampler) where TKey : notnull =>
        Enumerable.Range(0, sampler.Count).Select(i => info.ToRelativeTicks(sampler.TimeOf(i)) / 1e7).ToList();

    private static TimeChart ProcessChart(FirstPass first, ReportOptions options, IReadOnlyList<double> times, double? from, double? to)
    {
        var series = TopByPeak(first.Sampler, k => (k.Pid, k.Process), times.Count, options,
            k => ($"{k.Process} ({k.Pid})", $"{k.Process}, pid {k.Pid}"));
        return new TimeChart("chart-processes", "Live handles per process (top by peak)", times, series, from, to);
    }

    /// <summary>The sampled lines of the processes the filter keeps, highest peak first, up to the chart's cap.</summary>
    private static List<ChartSeries> TopByPeak<TKey>(TimeSampler<TKey> sampler, Func<TKey, (int Pid, string Process)> process,
        int samples, ReportOptions options, Func<TKey, (string Label, string Detail)> label) where TKey : notnull =>
        sampler.Series
            .Where(kv => options.Filter.Matches(process(kv.Key).Pid, process(kv.Key).Process))
            .Select(kv => (kv.Key, Values: kv.Value.AsSpan(0, samples).ToArray()))
            .OrderByDescending(s => s.Values.DefaultIfEmpty().Max()).ThenBy(s => process(s.Key).Pid)
            .Take(options.TopProcesses)
            .Select(s => { var (l, d) = label(s.Key); return new ChartSeries(l, d, s.Values); })
            .ToList();

    private static TimeChart StackChart(ReportInput input, FirstPass first, StackContext context, ReportOptions options,
                                        IReadOnlyList<double> times, double? from, double? to)
    {
        first.Tracker.CanonicalizeStacks(context.Stacks, context.Modules.Managed);
        var top = first.Tracker.LeakGroupSummaries()
            .Where(g => options.Filter.Matches(g.Pid, g.Process))
            .Take(options.TopStacks)
            .ToList();
        var series = new List<ChartSeries>();
        if (top.Count > 0 && times.Count > 0)
        {
            var keys = top.Select(g => new GroupKey(g.Pid, g.Type, g.StackId)).ToList();
            var second = new StackPass(input.Info, keys, context.Stacks.Canonical, first.Sampler.Width, options.MaxSamples);
            input.Replay(second);
            foreach (LeakGroupSummary g in top)
            {
                int[] values = new int[times.Count];
                if (second.Sampler.Series.TryGetValue(new GroupKey(g.Pid, g.Type, g.StackId), out int[]? sampled))
                    Array.Copy(sampled, values, Math.Min(values.Length, second.Sampler.Count));
                IReadOnlyList<string> frames = context.Frames(g.StackId, g.StackPid, g.LabelTimestamp);
                series.Add(new ChartSeries($"{g.Type} in {g.Process} ({g.Pid}) at {StackLabels.Caller(frames)}",
                    string.Join("\n", frames), values));
            }
        }
        return new TimeChart("chart-stacks", "Outstanding handles per create stack (top leaks)", times, series, from, to);
    }

    /// <summary>Type tables of the processes holding the most handles at the end, and what the cap left out.</summary>
    private static (IReadOnlyList<ProcessTypes>, ProcessesLeftOut) TypeTable(FirstPass first, ReportOptions options)
    {
        var start = first.StartTypes.GroupBy(p => p.Pid).ToDictionary(g => g.Key, g => g.First());
        var result = new List<ProcessTypes>();
        var leftOut = new ProcessesLeftOut();
        foreach (ProcessHandleSummary end in first.Tracker.SummarizeLiveHandles())
        {
            if (!options.Filter.Matches(end.Pid, end.Process)) continue;
            if (result.Count == options.TypeProcesses)
            {
                leftOut = new ProcessesLeftOut(leftOut.Processes + 1, leftOut.Handles + end.Total);
                continue;
            }
            ProcessHandleSummary? before = start.GetValueOrDefault(end.Pid);
            if (before is not null && before.Process != end.Process) before = null; // pid reused by another image
            var startByType = before?.ByType.ToDictionary(t => t.Type, t => t.Count) ?? new Dictionary<string, int>();
            var types = end.ByType.Select(t => new TypeChange(t.Type, startByType.GetValueOrDefault(t.Type), t.Count))
                .Concat(startByType.Where(kv => end.ByType.All(t => t.Type != kv.Key)).Select(kv => new TypeChange(kv.Key, kv.Value, 0)))
                .ToList();
            result.Add(new ProcessTypes(end.Pid, end.Process, before?.Total ?? 0, end.Total, types));
        }
        return (result, leftOut);
    }

    private static TraceSummary Summarize(TraceInfo info, FirstPass first)
    {
        HandleTracker t = first.Tracker;
        TraceSpan span = TraceSpan.Of(info, t.LastTimestamp);
        string os = info.OsVersion.Major == 0 ? "unknown"
            : $"Windows {info.OsVersion.Major}.{info.OsVersion.Minor} build {info.OsBuild}, {info.PointerSize * 8}-bit" +
              (info.Processors > 0 ? $", {info.Processors} CPUs" : "");
        return new TraceSummary(info.Source, info.HostName, os, span.StartUtc, span.EndUtc, span.Seconds, first.Processes,
            t.Counters.HandleEvents, info.EventsLost + t.Counters.EventsLostInStream,
            info.BuffersLost + t.Counters.BuffersLostInStream, info.DamagedBuffers, info.DamagedBytes, t.Lossy);
    }
}
