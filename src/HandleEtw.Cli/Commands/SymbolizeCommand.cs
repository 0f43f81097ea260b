using System.CommandLine;
using System.Globalization;
using HandleEtw.Parquet;
using HandleEtw.Parquet.Symbolize;
using HandleEtw.Symbols;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw symbolize DIR [--symbols PATH]`: adds a `symbols` table beside a converted trace's stacks.</summary>
public static class SymbolizeCommand
{
    private static readonly Argument<string> DirectoryArgument = new("dir")
    {
        Description = "A directory written by handleetw convert (with meta.parquet), or a convert --partition root.",
    };

    private static readonly Option<bool> RecursiveOption = new("--recursive", "--fleet")
    {
        Description = "Also symbolize every handleetw table directory (one with meta.parquet) at any depth below DIR.",
    };

    public static Command Create()
    {
        var command = new Command("symbolize", "Add a symbols table to a Parquet directory.");
        var symbols = SymbolOptions.Create();
        var verbose = SymbolOptions.Verbose();
        command.Arguments.Add(DirectoryArgument);
        command.Options.Add(RecursiveOption);
        command.Options.Add(symbols);
        command.Options.Add(verbose);
        command.SetGuardedAction((p, context) =>
        {
            string dir = p.GetValue(DirectoryArgument)!;
            using SymbolResolver? resolver = SymbolOptions.CreateResolver(p, symbols);
            var search = p.GetValue(RecursiveOption) ? TableSearch.Recursive : TableSearch.OwnPartitions;
            var result = Write(dir, resolver, new ParquetWriteOptions(), search);
            context.Out.WriteLine(Summary(result));
            SymbolOptions.Report(resolver, context, p.GetValue(verbose));
            if (p.GetValue(verbose)) context.Error.WriteLine($"symbolize: {result.Elapsed.TotalMilliseconds:F0} ms in total");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes the symbols table of the table directories the search finds; shared with `convert --symbols`.</summary>
    internal static SymbolizeResult Write(string dir, SymbolResolver? resolver, ParquetWriteOptions options,
        TableSearch search, CancellationToken cancel = default, bool lockDirectories = true)
    {
        if (File.Exists(dir)) throw new UserErrorException($"{dir}: is a file, expected a directory of Parquet tables");
        if (!Directory.Exists(dir)) throw new UserErrorException($"{dir}: no such directory");
        try
        {
            return ParquetSymbolizer.Run(dir, resolver, options, search, cancel, lockDirectories);
        }
        catch (ParquetTableException e)
        {
            throw new UserErrorException(e.Message, ExitCodes.FormatError);
        }
    }

    internal static string Summary(SymbolizeResult r)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        // Every file written is named: symbolize never writes anywhere the user cannot see.
        var lines = r.Directories.Select(d => "wrote " + ParquetLayout.TablePath(d, "symbols"));
        return string.Join(Environment.NewLine, lines.Append(
            $"symbols for {N(r.Stacks)} stacks ({N(r.Frames)} frames: {N(r.InModule)} in a module, " +
            $"{N(r.Resolved)} resolved to a function) in {N(r.Directories.Count)} table director{(r.Directories.Count == 1 ? "y" : "ies")}"));
    }
}
