using System.CommandLine;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Json;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw diff trace.etl [--from T1] [--to T2]`: `!htrace -diff` for every process.</summary>
public static class DiffCommand
{
    public sealed record Args(string Trace, string? From, string? To, ProcessFilter Filter, bool Json);

    public static Command Create()
    {
        var command = new Command("diff", "Handles opened after --from and still open at --to, grouped by create stack (!htrace -diff).");
        var trace = TraceOptions.Trace();
        var from = TraceOptions.Time("--from", "Start: seconds from trace start (90, 90s, 1.5m, 500ms) or an ISO-8601 date and time (default: after the start rundown).");
        var to = TraceOptions.Time("--to", "End: seconds from trace start (90, 1.5m, 2h) or an ISO-8601 date and time (default: end of trace).");
        var process = TraceOptions.Process();
        var pid = TraceOptions.Pid();
        var json = TraceOptions.Json();
        var symbols = SymbolOptions.Create();
        var verbose = SymbolOptions.Verbose();
        command.Arguments.Add(trace);
        foreach (Option o in new Option[] { from, to, process, pid, json, symbols, verbose }) command.Options.Add(o);
        command.SetGuardedAction((p, context) =>
        {
            var args = new Args(string.Join(" ", p.GetValue(trace)!), p.GetValue(from), p.GetValue(to),
                TraceOptions.Filter(p.GetValue(process), p.GetValue(pid)), p.GetValue(json));
            TraceInput input = TraceInput.Open(p.GetValue(trace)!);
            int code = SymbolOptions.RunWith(p, symbols, verbose, context, input, i => Execute(args, i, context.Out));
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
        var recorder = new DiffRecorder(tracker, from, to);
        StackContext context = TraceOptions.Run(input, recorder);
        TraceOptions.RequireHandleEvents(input.Coverage, args.Filter);
        DiffReport report = recorder.Report(context, args.Filter);
        if (args.Json) output.WriteLine(JsonContract.Write(DiffJson.Of(report, input.Info)));
        else TextReports.Diff(output, report);
        return ExitCodes.Ok;
    }
}
