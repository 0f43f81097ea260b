using HandleEtw.Cli.Progress;
using System.CommandLine;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Analysis.Compare;
using HandleEtw.Core.Json;
using HandleEtw.Reports.Collect;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw compare BEFORE AFTER`: did the fix work? Leak groups of two traces paired and judged.</summary>
public static class CompareCommand
{
    public sealed record Args(int Top, bool All, ProcessFilter Filter, bool Json);

    public static Command Create()
    {
        var command = new Command("compare",
            "Pair the leak groups of two traces (before and after a fix) by image name, object type and create stack, and " +
            "say for each: " + LeakComparison.Rule + " Growth follows the leaks rule: " + LeakAnalysis.Rule +
            " Stacks pair by module!function with --symbols, else by module+offset, then by their user frames' modules " +
            "where that names one group in each trace. A lossy trace makes every verdict uncertain.");
        var before = new Argument<string>("before") { Description = "The trace before: an .etl file, a folder of .etl files (one timeline) or a Parquet directory." };
        var after = new Argument<string>("after") { Description = "The trace after, in any of the same forms." };
        var top = new Option<int>("--top") { Description = "How many groups to list.", DefaultValueFactory = _ => 20 };
        var all = new Option<bool>("--all") { Description = "List flat groups (growing in neither trace) too." };
        var process = TraceOptions.Process();
        var json = TraceOptions.Json();
        var quiet = TraceOptions.Quiet();
        var symbols = SymbolOptions.Create();
        var verbose = SymbolOptions.Verbose();
        command.Arguments.Add(before);
        command.Arguments.Add(after);
        foreach (Option o in new Option[] { top, all, process, json, quiet, symbols, verbose }) command.Options.Add(o);
        command.SetGuardedAction((p, context) =>
        {
            var args = new Args(p.GetValue(top), p.GetValue(all), TraceOptions.Filter(p.GetValue(process), null), p.GetValue(json));
            if (args.Top <= 0) throw new UserErrorException("--top must be at least 1");
            using var resolver = SymbolOptions.CreateResolver(p, symbols);
            var progress = TraceOptions.Progress(p, context, json, quiet);
            int code = Execute(args, Side(p.GetValue(before)!, resolver, progress), Side(p.GetValue(after)!, resolver, progress), context.Out);
            SymbolOptions.Report(resolver, context, p.GetValue(verbose));
            return code;
        });
        return command;
    }

    public static CompareInput Side(string path, Core.Stacks.IFrameSymbolizer? symbolizer = null, TraceProgress? progress = null)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new UserErrorException($"{path}: no such file or directory");
        return new CompareInput(path, ReportCommand.Open([path], symbolizer, progress));
    }

    public static int Execute(Args args, CompareInput before, CompareInput after, TextWriter output)
    {
        CompareReport report = CompareBuilder.Compare(Analyse(before, args.Filter), Analyse(after, args.Filter));
        if (args.Json) output.WriteLine(JsonContract.Write(CompareJson.Of(report, before.Trace.Info, after.Trace.Info)));
        else CompareText.Write(output, report, args.Top, args.All);
        return ExitCodes.Ok;
    }

    /// <summary>One trace analysed; a trace without handle events is refused (exit 5), not judged "fixed".</summary>
    public static ComparedAnalysis Analyse(CompareInput input, ProcessFilter filter)
    {
        ComparedAnalysis analysis = CompareBuilder.Analyse(input, filter);
        if (analysis.Coverage.MissingEventsMessage() is { } none)
            throw new UserErrorException($"{input.Name}: {none}", ExitCodes.NoHandleEvents);
        return analysis;
    }
}
