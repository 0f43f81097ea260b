using System.CommandLine;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Json;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw misuse trace.etl`: double-close suspects with the four stacks that tell the story.</summary>
public static class MisuseCommand
{
    public sealed record Args(string Trace, ProcessFilter Filter, bool Json);

    public static Command Create()
    {
        var command = new Command("misuse", "Double-close suspects: stale closes that closed another thread's reused handle value.");
        var trace = TraceOptions.Trace();
        var process = TraceOptions.Process();
        var pid = TraceOptions.Pid();
        var json = TraceOptions.Json();
        var quiet = TraceOptions.Quiet();
        command.Arguments.Add(trace);
        foreach (Option o in new Option[] { process, pid, json, quiet }) command.Options.Add(o);
        command.SetGuardedAction((p, context) =>
        {
            var args = new Args(string.Join(" ", p.GetValue(trace)!), TraceOptions.Filter(p.GetValue(process), p.GetValue(pid)), p.GetValue(json));
            TraceInput input = TraceInput.Open(p.GetValue(trace)!, TraceOptions.Progress(p, context, json, quiet));
            int code = Execute(args, input, context.Out);
            TraceOptions.WriteGaps(input.Info, context.Error);
            TraceOptions.WarnCoverage(input.Coverage, context.Error);
            return code;
        });
        return command;
    }

    public static int Execute(Args args, TraceInput input, TextWriter output)
    {
        var tracker = new HandleTracker(input.Info);
        StackContext context = TraceOptions.Run(input, tracker);
        TraceOptions.RequireHandleEvents(input.Coverage, args.Filter);
        MisuseReport report = MisuseAnalysis.Build(tracker, context, args.Filter);
        if (args.Json) output.WriteLine(JsonContract.Write(MisuseJson.Of(report, input.Info)));
        else TextReports.Misuse(output, report);
        return ExitCodes.Ok;
    }
}
