using System.CommandLine;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Json;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw diff trace.etl [--from T1] [--to T2]`: `!htrace -diff` for every process.</summary>
public static class DiffCommand
{
    public const int DefaultTop = 10;
    public const int DefaultPerGroup = 3;

    /// <param name="Limits">What the text lists; JSON lists everything unless <paramref name="JsonTop"/> is set.</param>
    /// <param name="JsonTop">--top when given explicitly: JSON then keeps only those groups and their handles.</param>
    public sealed record Args(string Trace, string? From, string? To, ProcessFilter Filter, bool Json,
                              DiffLimits? Limits = null, int? JsonTop = null, HandleKind? Kind = HandleKind.Kernel);

    public static Command Create()
    {
        var command = new Command("diff", "Handles opened after --from and still open at --to, grouped by create stack (!htrace -diff).");
        var trace = TraceOptions.Trace();
        var from = TraceOptions.Time("--from", "Start: seconds from trace start (90, 90s, 1.5m, 500ms) or an ISO-8601 date and time (default: after the start rundown).");
        var to = TraceOptions.Time("--to", "End: seconds from trace start (90, 1.5m, 2h) or an ISO-8601 date and time (default: end of trace).");
        var process = TraceOptions.Process();
        var pid = TraceOptions.Pid();
        var json = TraceOptions.Json();
        var quiet = TraceOptions.Quiet();
        var kind = TraceOptions.Kind();
        var top = TraceOptions.Count("--top", $"How many create-stack groups to show, largest first (default {DefaultTop}). " +
            "A last line says how many groups were left out. With --json, only given explicitly limits the groups.", DefaultTop);
        var perGroup = TraceOptions.Count("--per-group", $"How many handles to list under each group (default {DefaultPerGroup}), " +
            "then a line with how many more it holds. JSON always lists every handle of the groups it shows.", DefaultPerGroup);
        var all = new Option<bool>("--all") { Description = "Show every group and every handle (no --top or --per-group limit)." };
        var symbols = SymbolOptions.Create();
        var verbose = SymbolOptions.Verbose();
        command.Arguments.Add(trace);
        foreach (Option o in new Option[] { from, to, top, perGroup, all, kind, process, pid, json, quiet, symbols, verbose }) command.Options.Add(o);
        command.SetGuardedAction((p, context) =>
        {
            bool topGiven = p.GetResult(top) is { Implicit: false };
            if (p.GetValue(all) && (topGiven || p.GetResult(perGroup) is { Implicit: false }))
                throw new UserErrorException("--all shows everything: leave out --top and --per-group, or --all");
            DiffLimits limits = p.GetValue(all) ? DiffLimits.All : new DiffLimits(p.GetValue(top), p.GetValue(perGroup));
            var args = new Args(string.Join(" ", p.GetValue(trace)!), p.GetValue(from), p.GetValue(to),
                TraceOptions.Filter(p.GetValue(process), p.GetValue(pid)), p.GetValue(json), limits,
                topGiven ? p.GetValue(top) : null, TraceOptions.KindOf(p.GetValue(kind)));
            TraceInput input = TraceInput.Open(p.GetValue(trace)!, TraceOptions.Progress(p, context, json, quiet));
            int code = SymbolOptions.RunWith(p, symbols, verbose, context, input, i => Execute(args, i, context.Out), args.Kind, kindNote: true);
            TraceOptions.WriteGaps(input.Info, context.Error);
            return code;
        });
        return command;
    }

    public static int Execute(Args args, TraceInput input, TextWriter output)
    {
        long? from = TraceOptions.ParseTime(args.From, input.Info, "--from");
        long? to = TraceOptions.ParseTime(args.To, input.Info, "--to");
        if (from is long f && to is long t && t < f) throw new UserErrorException("--to is before --from");
        var tracker = new HandleTracker(input.Info);
        var recorder = new DiffRecorder(tracker, from, to, args.Kind);
        StackContext context = TraceOptions.Run(input, recorder);
        TraceOptions.RequireHandleEvents(input.Coverage, args.Filter, args.Kind);
        DiffReport report = recorder.Report(context, args.Filter);
        if (args.Json) output.WriteLine(JsonContract.Write(DiffJson.Of(args.JsonTop is int n ? report.Top(n) : report, input.Info)));
        else TextReports.Diff(output, report, args.Limits ?? new DiffLimits(DefaultTop, DefaultPerGroup));
        return ExitCodes.Ok;
    }
}
