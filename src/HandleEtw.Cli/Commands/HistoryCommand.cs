using System.CommandLine;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Json;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw history trace.etl --pid N --handle 0xH`: every event of one handle value, newest first.</summary>
public static class HistoryCommand
{
    public sealed record Args(string Trace, int Pid, uint Handle, bool Json, HandleKind? Kind = HandleKind.Kernel);

    public static Command Create()
    {
        var command = new Command("history", "Every OPEN / CLOSE / DUPLICATE of one handle value, newest first, with stacks.");
        var trace = TraceOptions.Trace();
        var pid = TraceOptions.Pid("Process id that owns the handle (4 for kernel handles), decimal or hex with 0x.");
        pid.Required = true;
        var handle = new Option<string>("--handle") { Description = TraceOptions.HandleHelp, Required = true };
        var json = TraceOptions.Json();
        var quiet = TraceOptions.Quiet();
        var kind = TraceOptions.Kind();
        var symbols = SymbolOptions.Create();
        var verbose = SymbolOptions.Verbose();
        command.Arguments.Add(trace);
        foreach (Option o in new Option[] { pid, handle, kind, json, quiet, symbols, verbose }) command.Options.Add(o);
        command.SetGuardedAction((p, context) =>
        {
            var args = new Args(string.Join(" ", p.GetValue(trace)!), p.GetValue(pid)!.Value, TraceOptions.ParseHandle(p.GetValue(handle)!), p.GetValue(json),
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
        var collector = new HistoryCollector(input.Info, args.Pid, args.Handle, args.Kind);
        StackContext context = TraceOptions.Run(input, collector);
        TraceOptions.RequireHandleEvents(input.Coverage, new ProcessFilter(args.Pid), args.Kind);
        HistoryReport report = collector.Report(context);
        if (args.Json) output.WriteLine(JsonContract.Write(HistoryJson.Of(report, input.Info)));
        else TextReports.History(output, report);
        return ExitCodes.Ok;
    }
}
