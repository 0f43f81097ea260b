using System.CommandLine;
using System.Globalization;
using System.Text;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Json;
using HandleEtw.Core.Records;
using HandleEtw.Core.Text;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl.File;
using HandleEtw.Etl.Statistics;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw stats FILE.etl [--json]`: trace metadata, buffers, events by kind, stacks and losses.</summary>
public static class StatsCommand
{
    public static Command Create()
    {
        var command = new Command("stats", "Trace metadata, buffers, events by kind, stacks, losses and live handle counts.");
        var file = TraceOptions.Trace();
        var json = new Option<bool>("--json") { Description = "Write one JSON object instead of text." };
        command.Arguments.Add(file);
        var modules = new Option<bool>("--modules") { Description = "List every loaded image per process with its PDB identity (guid, age, name) and load/unload times." };
        var methods = new Option<bool>("--methods") { Description = "List the .NET methods whose native code the trace shows (JIT, rundown), per process, with their address ranges and load/unload times." };
        var kind = TraceOptions.Kind();
        kind.Description = "Which live handles the text lists per process: kernel (default), gdi, user or all (JSON always has every kind).";
        command.Options.Add(json);
        command.Options.Add(kind);
        command.Options.Add(modules);
        command.Options.Add(methods);
        var quiet = TraceOptions.Quiet();
        command.Options.Add(quiet);
        command.SetGuardedAction((parseResult, context) =>
        {
            using IRecordSource source = EtlSequenceSource.OpenAll(TraceFiles.Expand(parseResult.GetValue(file)!));
            var progress = TraceOptions.Progress(parseResult, context, json, quiet);
            using (progress?.Watch(source))
            {
                if (parseResult.GetValue(modules)) return StatsModules.Write(source, parseResult.GetValue(json), context);
                if (parseResult.GetValue(methods)) return StatsMethods.Write(source, parseResult.GetValue(json), context);
            }
            var tracker = new HandleTracker(source.Info);
            var coverage = new TraceCoverage(source.Info);
            TraceStatisticsReport report;
            using (progress?.Watch(source)) report = TraceStatistics.Collect(source, new CompositeConsumer(tracker, coverage));
            IReadOnlyList<ProcessHandleSummary> live = tracker.SummarizeLiveHandles();
            var facts = new StatsFacts(tracker.Counters.HandleEvents, TraceSpan.Of(source.Info, tracker.LastTimestamp))
            {
                GdiEvents = coverage.GdiEvents, UserEvents = coverage.UserEvents,
                LiveGdi = tracker.SummarizeLiveHandles(HandleKind.Gdi), LiveUser = tracker.SummarizeLiveHandles(HandleKind.User),
            };
            HandleKind? shown = TraceOptions.KindOf(parseResult.GetValue(kind));
            context.Out.Write(parseResult.GetValue(json) ? ToJson(report, live, facts) : ToText(report, live, facts, shown));
            // Stats is how one finds out what a trace holds: it prints everything, then says what is missing.
            // By default any handle events will do: stats lists every kind it found.
            bool explicitKind = parseResult.GetResult(kind) is { Implicit: false };
            TraceOptions.RequireHandleEvents(coverage, ProcessFilter.All, explicitKind ? shown : coverage.EventsOf(null) > 0 ? null : shown);
            TraceOptions.WarnCoverage(coverage, context.Error, shown, kindNote: true);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The figures stats shares with the report, under the one definition each (handle events, span).</summary>
    public sealed record StatsFacts(long HandleEvents, TraceSpan Span)
    {
        public long GdiEvents { get; init; }
        public long UserEvents { get; init; }
        public IReadOnlyList<ProcessHandleSummary> LiveGdi { get; init; } = [];
        public IReadOnlyList<ProcessHandleSummary> LiveUser { get; init; } = [];
    }

    public static string ToJson(TraceStatisticsReport report, IReadOnlyList<ProcessHandleSummary>? live = null, StatsFacts? facts = null)
    {
        TraceInfo info = report.Info;
        var document = new StatsJson(info.Lossy, DamageJson.Of(info), info.Source, info.SessionName, Iso(info.StartUtc),
            Iso(info.EndUtc), info.PointerSize, info.Processors, info.OsVersion.ToString(), info.OsBuild, report.Events,
            report.EventsWithStacks, info.Buffers, info.CompressedBuffers, report.ByKind,
            LiveJson(live ?? []),
            info.SourceFiles.Count > 0 ? info.SourceFiles : [info.Source], Gaps(info))
        {
            HandleEvents = facts?.HandleEvents ?? 0,
            SpanSeconds = Math.Round(facts?.Span.Seconds ?? 0, 6),
            GdiEvents = facts?.GdiEvents ?? 0,
            UserEvents = facts?.UserEvents ?? 0,
            LiveGdiObjects = LiveJson(facts?.LiveGdi ?? []),
            LiveUserObjects = LiveJson(facts?.LiveUser ?? []),
        };
        return JsonContract.Write(document) + Environment.NewLine;
    }

    private static List<LiveHandlesJson> LiveJson(IReadOnlyList<ProcessHandleSummary> live) =>
        live.Select(p => new LiveHandlesJson(p.Pid, p.ProcessKey == 0 ? null : new Hex(p.ProcessKey), p.Process, p.Total,
            p.ByType.ToDictionary(t => t.Type, t => t.Count))).ToList();

    public static string ToText(TraceStatisticsReport report, IReadOnlyList<ProcessHandleSummary>? live = null, StatsFacts? facts = null,
                                HandleKind? kind = HandleKind.Kernel)
    {
        TraceInfo info = report.Info;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"file         {info.Source}");
        AppendSequence(text, info);
        text.AppendLine(c, $"session      {info.SessionName}");
        text.AppendLine(c, $"time (UTC)   {Iso(info.StartUtc)} .. {Iso(info.EndUtc)}");
        if (facts is not null) text.AppendLine(c, $"span         {facts.Span.Seconds:0.###} s");
        text.AppendLine(c, $"machine      Windows {info.OsVersion} build {info.OsBuild}, {info.Processors} CPUs, {info.PointerSize * 8}-bit");
        text.AppendLine(c, $"buffers      {info.Buffers} ({info.CompressedBuffers} compressed, {info.DamagedBuffers} damaged, {info.DamagedBytes} bytes lost to damage)");
        string handles = facts is null ? "" : $"{facts.HandleEvents} Object handle events; ";
        if (facts is { GdiEvents: > 0 } or { UserEvents: > 0 }) handles += $"{facts.GdiEvents} GDI and {facts.UserEvents} USER handle events; ";
        text.AppendLine(c, $"events       {report.Events} ({handles}{info.SkippedRecords} records skipped, {info.DamagedRecords} damaged)");
        text.AppendLine(c, $"stacks       {report.EventsWithStacks}");
        text.AppendLine(c, $"lost         {info.EventsLost} events, {info.BuffersLost} buffers{(info.Lossy ? "  (results are incomplete)" : "")}");
        text.AppendLine("by kind:");
        int width = 0;
        foreach (string name in report.ByKind.Keys) width = Math.Max(width, name.Length);
        foreach (var (eventKind, count) in report.ByKind)
        {
            text.Append("  ").Append(eventKind);
            StartupText.AppendSpaces(text, width - eventKind.Length + 2);
            StartupText.AppendRight(text, count, 10).AppendLine();
        }
        if (kind is null or HandleKind.Kernel) AppendLiveHandles(text, live ?? [], "live handles at end", "");
        if (kind is null or HandleKind.Gdi && facts is not null) AppendLiveHandles(text, facts.LiveGdi, "GDI objects at end", "GDI ");
        if (kind is null or HandleKind.User && facts is not null) AppendLiveHandles(text, facts.LiveUser, "USER objects at end", "USER ");
        return text.ToString();
    }

    /// <summary>Several files read as one timeline: the gaps between them, in seconds from the trace start.</summary>
    private static List<GapJson> Gaps(TraceInfo info) =>
        info.Gaps.Select(g => new GapJson(info.ToRelativeTicks(g.FromTimestamp) / 1e7, info.ToRelativeTicks(g.ToTimestamp) / 1e7,
            g.Before, g.After)).ToList();

    private static void AppendSequence(StringBuilder text, TraceInfo info)
    {
        if (info.SourceFiles.Count < 2) return;
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"files        {info.SourceFiles.Count} read as one timeline, {info.Gaps.Count} gaps between them");
        foreach (string f in info.SourceFiles) text.AppendLine(c, $"  {f}");
        foreach (TraceGap gap in info.Gaps)
            text.AppendLine(c, $"  gap {info.ToRelativeTicks(gap.FromTimestamp) / 1e7:0.###} s .. {info.ToRelativeTicks(gap.ToTimestamp) / 1e7:0.###} s between {gap.Before} and {gap.After}");
    }

    /// <summary>Per running process: its total, then by type (for GDI and USER: what GetGuiResources and Task
    /// Manager's GDI/USER objects columns count).</summary>
    private static void AppendLiveHandles(StringBuilder text, IReadOnlyList<ProcessHandleSummary> live, string title, string typePrefix)
    {
        var c = CultureInfo.InvariantCulture;
        long total = 0;
        foreach (ProcessHandleSummary p in live) total += p.Total;
        text.AppendLine(c, $"{title}: {total} in {live.Count} processes");
        foreach (ProcessHandleSummary p in live)
        {
            text.AppendLine(c, $"  {p.Process} (pid {p.Pid}): {p.Total}");
            foreach (var (type, count) in p.ByType)
            {
                StartupText.AppendRight(text.Append("    "), count, 8);
                text.Append(' ').Append(typePrefix).AppendLine(type);
            }
        }
    }

    private static string Iso(DateTime utc) => utc == default ? "" : utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
