using HandleEtw.Cli.Progress;
using System.CommandLine;
using System.Globalization;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Records;
using System.Runtime.InteropServices;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl.File;
using HandleEtw.Parquet;
using HandleEtw.Parquet.Symbolize;
using HandleEtw.Symbols;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw convert trace.etl -o DIR`: the trace as Parquet tables for DuckDB, pandas and Spark.</summary>
public static class ConvertCommand
{
    private static readonly Argument<string[]> TraceArgument = TraceOptions.Trace();
    private static readonly Option<string> OutputOption = new("--output", "-o") { Description = "Directory for the tables (created if missing).", Required = true };
    private static readonly Option<bool> PartitionOption = new("--partition") { Description = "Write DIR/host=NAME/date=YYYY-MM-DD/trace=START/TABLE.parquet (Hive style) so a fleet's traces share one directory." };
    private static readonly Option<string?> HostOption = new("--host") { Description = "Host name to record and partition by (default: from the trace, else the file name)." };
    private static readonly Option<string> CompressionOption = new("--compression") { Description = "zstd (default, fastest level), snappy, gzip or none.", DefaultValueFactory = _ => "zstd" };

    private static readonly Option<string?> SymbolsOption = SymbolOptions.Create();
    private static readonly Option<bool> VerboseOption = SymbolOptions.Verbose();
    private static readonly Option<bool> QuietOption = TraceOptions.Quiet();

    public static Command Create()
    {
        var command = new Command("convert", "Write a trace (or several files of one recording, as one dataset) as Parquet tables for DuckDB, pandas and Spark (--symbols adds a symbols table).");
        command.Arguments.Add(TraceArgument);
        command.Options.Add(OutputOption);
        command.Options.Add(PartitionOption);
        command.Options.Add(HostOption);
        command.Options.Add(CompressionOption);
        command.Options.Add(SymbolsOption);
        command.Options.Add(VerboseOption);
        command.Options.Add(QuietOption);
        command.SetGuardedAction((parseResult, context) =>
        {
            string compressionName = parseResult.GetValue(CompressionOption) ?? "zstd";
            ParquetCompression compression = ParquetWriteOptions.ParseCompression(compressionName)
                ?? throw new UserErrorException($"--compression {compressionName}: expected zstd, snappy, gzip or none");
            var args = new ConvertArgs(parseResult.GetValue(TraceArgument)!, parseResult.GetValue(OutputOption)!,
                parseResult.GetValue(PartitionOption), parseResult.GetValue(HostOption), compression);
            // Only an explicit --symbols adds the symbols table: _NT_SYMBOL_PATH alone must not slow every conversion.
            bool withSymbols = parseResult.GetResult(SymbolsOption) is not null;
            using SymbolResolver? resolver = withSymbols ? SymbolOptions.CreateResolver(parseResult, SymbolsOption) : null;
            using var cancel = new ConsoleCancellation();
            var progress = TraceProgress.For(context.Error, json: false, parseResult.GetValue(QuietOption));
            int code = Convert(args, context, cancel.Token, withSymbols ? new SymbolsTableRequest(resolver) : null, progress);
            if (withSymbols) SymbolOptions.Report(resolver, context, parseResult.GetValue(VerboseOption));
            return code;
        });
        return command;
    }

    /// <summary>Write the symbols table after the conversion; a null resolver gives module+offset rows.</summary>
    internal sealed record SymbolsTableRequest(SymbolResolver? Resolver);

    internal sealed record ConvertArgs(IReadOnlyList<string> Traces, string Output, bool Partition, string? Host, ParquetCompression Compression);

    internal static int Convert(ConvertArgs args, CommandContext context, CancellationToken cancel,
        SymbolsTableRequest? symbols = null, TraceProgress? progress = null)
    {
        IReadOnlyList<string> files = TraceFiles.Expand(args.Traces);
        if (File.Exists(args.Output)) throw new UserErrorException($"-o {args.Output}: is a file, expected a directory");
        var options = new ParquetConversionOptions
        {
            OutputRoot = args.Output,
            Partition = args.Partition,
            Host = args.Host,
            Write = new ParquetWriteOptions { Compression = args.Compression },
        };
        using IRecordSource source = EtlSequenceSource.OpenAll(files);
        var tracker = new HandleTracker(source.Info);
        // The line is cleared once the read ends, before anything else is written to stderr.
        using var watch = progress?.Watch(source);
        try
        {
            string? symbolsSummary = null;
            ParquetConversionResult result = TraceToParquet.Run(source, options, tracker,
                onPartial: partial =>
                {
                    watch?.Dispose();
                    if (cancel.IsCancellationRequested) context.Error.WriteLine(PartialSummary(partial));
                }, cancel: cancel,
                whileLocked: written =>
                {
                    watch?.Dispose();
                    if (symbols is null) return;
                    symbolsSummary = SymbolizeCommand.Summary(SymbolizeCommand.Write(written.Directory, symbols.Resolver,
                        options.Write, TableSearch.Self, cancel, lockDirectories: false));
                });
            context.Out.WriteLine(
                $"wrote {result.Meta.Events.ToString("N0", CultureInfo.InvariantCulture)} handle events, " +
                $"{result.Meta.Stacks.ToString("N0", CultureInfo.InvariantCulture)} stacks to {result.Directory}" +
                (result.Meta.Lossy ? " (trace is lossy: see meta)" : ""));
            TraceOptions.WriteGaps(source.Info, context.Error);
            if (symbolsSummary is not null) context.Out.WriteLine(symbolsSummary);
            if (tracker.Counters.HandleEvents == 0)
                throw new UserErrorException("the tables hold no handle events: " + TraceCoverage.NoHandleEventsText(source.Info.Lossy), ExitCodes.NoHandleEvents);
            long operations = tracker.Counters.HandleEvents - tracker.Counters.RundownHandles;
            if (result.Meta.Stacks == 0 && operations > 0)
                context.Error.WriteLine("warning: " + TraceCoverage.NoStacksMessage(operations));
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Cancelled; // the partial summary is already on stderr
        }
    }

    private static string PartialSummary(ParquetConversionResult partial) =>
        $"handleetw convert: stopped after {partial.Meta.Events.ToString("N0", CultureInfo.InvariantCulture)} events; " +
        $"{partial.Directory} is complete up to {partial.Meta.TraceEndUtc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} (meta.partial = true)";

    /// <summary>Ctrl+C and SIGTERM (what `timeout`, `kill`, systemd and docker send) cancel the conversion instead of
    /// killing the process, so the files get their footers and meta says partial.</summary>
    private sealed class ConsoleCancellation : IDisposable
    {
        private readonly CancellationTokenSource _source = new();
        private readonly PosixSignalRegistration? _terminate;

        public ConsoleCancellation()
        {
            Console.CancelKeyPress += OnCancel;
            if (!OperatingSystem.IsWindows())
                _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
                {
                    signal.Cancel = true;
                    _source.Cancel();
                });
        }

        public CancellationToken Token => _source.Token;

        private void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            _source.Cancel();
        }

        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancel;
            _terminate?.Dispose();
            _source.Dispose();
        }
    }
}
