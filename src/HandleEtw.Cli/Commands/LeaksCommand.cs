using System.CommandLine;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Json;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw leaks trace.etl [--top N]`: open handles grouped by process, type and create stack, growing first.</summary>
public static class LeaksCommand
{
    public sealed record Args(string Trace, int Top, ProcessFilter Filter, bool Json, HandleKind? Kind = HandleKind.Kernel);

    public static Command Create()
    {
        var command = new Command("leaks", "Handles still open at the end, grouped by process, type and create stack, ranked by growth.");
        var trace = TraceOptions.Trace();
        var top = TraceOptions.Count("--top", "How many groups to show in each list (growing, then held without growing).", 20);
        var process = TraceOptions.Process();
        var pid = TraceOptions.Pid();
        var json = TraceOptions.Json();
        var quiet = TraceOptions.Quiet();
        var kind = TraceOptions.Kind();
        var symbols = SymbolOptions.Create();
        var verbose = SymbolOptions.Verbose();
        command.Arguments.Add(trace);
        foreach (Option o in new Option[] { top, kind, process, pid, json, quiet, symbols, verbose }) command.Options.Add(o);
        command.SetGuardedAction((p, context) =>
        {
            var args = new Args(string.Join(" ", p.GetValue(trace)!), p.GetValue(top), TraceOptions.Filter(p.GetValue(process), p.GetValue(pid)), p.GetValue(json),
                TraceOptions.KindOf(p.GetValue(kind)));
            TraceInput input = TraceInput.Open(p.GetValue(trace)!, TraceOptions.Progress(p, context, json, quiet));
            int code = SymbolOptions.RunWith(p, symbols, verbose, context, input, i => Execute(args, i, context.Out), args.Kind, kindNote: true);
            TraceOptions.WriteGaps(input.Info, context.Error);
            return code;
        });
        return command;
    }

    public static int Execute(Args args, TraceInput input, TextWriter output)
    {
        var tracker = new HandleTracker(input.Info);
        StackContext context = TraceOptions.Run(input, tracker);
        TraceOptions.RequireHandleEvents(input.Coverage, args.Filter, args.Kind);
        LeakReport report = LeakAnalysis.Build(tracker, context, args.Filter, args.Top, args.Kind);
        if (args.Json) output.WriteLine(JsonContract.Write(LeaksJson.Of(report, input.Info)));
        else TextReports.Leaks(output, report);
        return ExitCodes.Ok;
    }
}
