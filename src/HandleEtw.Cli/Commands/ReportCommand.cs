using System.CommandLine;
using HandleEtw.Cli.Progress;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Analysis.Compare;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Reports.Collect;
using HandleEtw.Reports.Input;
using HandleEtw.Reports.Html;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw report trace.etl -o report.html [--from T1] [--to T2]`: one self-contained HTML page; with
/// `--compare BEFORE AFTER`, the page of `compare`.</summary>
public static class ReportCommand
{
    public sealed record Args(string Trace, string Output, string? From, string? To, ProcessFilter Filter, int Top);

    public static Command Create()
    {
        var command = new Command("report", "One self-contained HTML page: charts, type summary, leaks and diff. " +
            "With --compare BEFORE AFTER: the page of `compare` (see compare --help): the verdicts ranked worst news first, " +
            "the matching used, and for each growing group its open handles before and after on one chart with its create stack.");
        var trace = new Argument<string[]>("trace")
        {
            Description = "The .etl file (several files of one recording or a folder of them: one timeline), or a Parquet directory written by convert. " +
                          "With --compare: two traces, BEFORE and AFTER, each in any of these forms (a folder for several files).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--output", "-o") { Description = "The HTML file to write (default: the trace path + .html)." };
        var from = TraceOptions.Time("--from", "Diff window start: seconds from trace start (90, 1.5m, 500ms) or an ISO-8601 date and time (marked on the charts).");
        var to = TraceOptions.Time("--to", "Diff window end: seconds from trace start (90, 1.5m, 2h) or an ISO-8601 date and time.");
        var process = TraceOptions.Process();
        var pid = TraceOptions.Pid();
        var top = TraceOptions.Count("--top", "How many leak groups to list (with --compare: growing groups charted).", 20);
        var compare = new Option<bool>("--compare") { Description = "Compare two traces, before and after a fix: report --compare BEFORE AFTER -o page.html (default AFTER.compare.html)." };
        var symbols = SymbolOptions.Create();
        var verbose = SymbolOptions.Verbose();
        var quiet = TraceOptions.Quiet();
        command.Arguments.Add(trace);
        foreach (Option o in new Option[] { output, compare, from, to, process, pid, top, symbols, verbose, quiet }) command.Options.Add(o);
        command.SetGuardedAction((p, context) =>
        {
            string[] paths = p.GetValue(trace)!;
            if (p.GetValue(compare))
            {
                if (paths.Length != 2) throw new UserErrorException("--compare takes two traces: report --compare BEFORE AFTER");
                if (p.GetValue(from) is not null || p.GetValue(to) is not null || p.GetValue(pid) is not null)
                    throw new UserErrorException("--from, --to and --pid do not apply to --compare (pids differ between traces: use --process)");
                var compareArgs = new CompareArgs(p.GetValue(output) ?? paths[1].TrimEnd('/', '\\') + ".compare.html",
                    TraceOptions.Filter(p.GetValue(process), null), p.GetValue(top));
                using var symbolizer = SymbolOptions.CreateResolver(p, symbols);
                var compareProgress = TraceProgress.For(context.Error, json: false, p.GetValue(quiet));
                int result = ExecuteCompare(compareArgs, CompareCommand.Side(paths[0], symbolizer, compareProgress),
                    CompareCommand.Side(paths[1], symbolizer, compareProgress), context.Out);
                SymbolOptions.Report(symbolizer, context, p.GetValue(verbose));
                return result;
            }
            string path = paths[0];
            var args = new Args(string.Join(" ", paths), p.GetValue(output) ?? path.TrimEnd('/', '\\') + ".html", p.GetValue(from), p.GetValue(to),
                TraceOptions.Filter(p.GetValue(process), p.GetValue(pid)), p.GetValue(top));
            using var resolver = SymbolOptions.CreateResolver(p, symbols);
            ReportInput input = Open(paths, resolver, TraceProgress.For(context.Error, json: false, p.GetValue(quiet)));
            int code = Execute(args, input, context.Out, context.Error);
            TraceOptions.WriteGaps(input.Info, context.Error);
            SymbolOptions.Report(resolver, context, p.GetValue(verbose));
            return code;
        });
        return command;
    }

    /// <summary>An .etl file or a Parquet directory written by `convert`, replayed once per report pass.</summary>
    /// <param name="symbolizer">Turns frames into module!Function+0xOFFSET (--symbols); null keeps module+0xOFFSET.</param>
    public static ReportInput Open(string path, IFrameSymbolizer? symbolizer = null) => Open([path], symbolizer);

    /// <summary>Several .etl files (or folders of them) are one timeline; one Parquet directory is one trace.</summary>
    /// <param name="progress">Shows each pass's progress over .etl files on stderr (null: silent).</param>
    public static ReportInput Open(IReadOnlyList<string> paths, IFrameSymbolizer? symbolizer = null, TraceProgress? progress = null)
    {
        if (paths.Count == 1 && Directory.Exists(paths[0]) && !TraceFiles.HasEtlFiles(paths[0]))
            return OpenParquet(paths[0], symbolizer);
        TraceInput first = TraceInput.Open(paths, progress);
        bool used = false;
        return new ReportInput(first.Info, consumer =>
        {
            TraceInput input = used ? TraceInput.Open(paths, progress) : first;
            input.Symbolizer = symbolizer;
            used = true;
            return TraceOptions.Run(input, consumer);
        });
    }

    private static ReportInput OpenParquet(string path, IFrameSymbolizer? symbolizer)
    {
        string tables = ParquetTrace.FindTables(path)
            ?? throw new UserErrorException($"{path}: no events.parquet (or more than one trace) in this directory");
        ParquetTraceMeta meta = ParquetTrace.ReadMeta(tables);
        return new ReportInput(meta.Info, consumer =>
        {
            var modules = new ModuleMap(meta.Info.PointerSize) { Symbolizer = symbolizer };
            StackTable stacks = ParquetReplay.Run(tables, new CompositeConsumer(modules, consumer), meta.EndNs);
            return new StackContext(stacks, modules);
        });
    }

    public sealed record CompareArgs(string Output, ProcessFilter Filter, int Top);

    /// <summary>`report --compare BEFORE AFTER`: the comparison page.</summary>
    public static int ExecuteCompare(CompareArgs args, CompareInput before, CompareInput after, TextWriter output)
    {
        RequireOutputDirectory(args.Output);
        ComparePage page = CompareBuilder.Build(before, CompareCommand.Analyse(before, args.Filter),
            after, CompareCommand.Analyse(after, args.Filter), args.Top);
        CompareHtml.WriteFile(args.Output, page);
        output.WriteLine($"{args.Output}: {CompareText.Counts(page.Report)}" +
            (page.Report.Before.Lossy || page.Report.After.Lossy ? " (uncertain: a trace is lossy)" : ""));
        return ExitCodes.Ok;
    }

    private static void RequireOutputDirectory(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new UserErrorException($"{path}: directory does not exist");
    }

    public static int Execute(Args args, ReportInput input, TextWriter output, TextWriter? error = null)
    {
        long? from = TraceOptions.ParseTime(args.From, input.Info, "--from");
        long? to = TraceOptions.ParseTime(args.To, input.Info, "--to");
        if (from is long f && to is long t && t < f) throw new UserErrorException("--to is before --from");
        var options = new ReportOptions(from, to) { Filter = args.Filter, TopLeaks = args.Top };
        ReportData data = ReportBuilder.Build(input, options);
        if (error is not null) TraceOptions.WarnCoverage(data.Coverage, error);
        RequireOutputDirectory(args.Output);
        HtmlReport.WriteFile(args.Output, data);
        if (data.Coverage.NoHandleEvents)
            throw new UserErrorException($"{args.Output} written, but {data.Coverage.MissingEventsMessage()}", ExitCodes.NoHandleEvents);
        output.WriteLine($"{args.Output}: {data.Leaks.Leaks.Count} leak groups, {data.Diff.Handles.Count} handles in the diff" +
            (data.Summary.Lossy ? " (trace is lossy)" : ""));
        if (!data.Coverage.AnyProcessMatches(args.Filter))
            throw new UserErrorException(data.Coverage.NoProcessMessage(args.Filter), ExitCodes.NoProcessMatched);
        return ExitCodes.Ok;
    }
}
