using System.CommandLine;
using HandleEtw.Core.Events;
using HandleEtw.Symbols;

namespace HandleEtw.Cli.Commands;

/// <summary>The `--symbols PATH` option shared by diff, history, leaks and convert, and the resolver it builds.</summary>
public static class SymbolOptions
{
    public static Option<string?> Create() => new("--symbols")
    {
        Description = "Symbol path (_NT_SYMBOL_PATH syntax: folders, srv*cache*server, cache*dir; ';' separated). " +
                      "Defaults to _NT_SYMBOL_PATH. A server is contacted only when the path names one.",
    };

    public static Option<bool> Verbose() => new("--verbose")
    {
        Description = "Print symbol resolution time and counts (lookups, cache hits) on stderr.",
    };

    /// <summary>The parsed path (option, else environment); a malformed path is a one-line user error.</summary>
    public static SymbolPath Parse(ParseResult parseResult, Option<string?> option)
    {
        try
        {
            return SymbolPath.FromOptionOrEnvironment(parseResult.GetValue(option));
        }
        catch (FormatException e)
        {
            throw new UserErrorException("--symbols: " + e.Message);
        }
    }

    /// <summary>A resolver for the path, or null when no symbol path is set (frames stay module+0xOFFSET).</summary>
    public static SymbolResolver? CreateResolver(ParseResult parseResult, Option<string?> option)
    {
        var path = Parse(parseResult, option);
        return path.IsEmpty ? null : new SymbolResolver(path);
    }

    /// <summary>Runs a command body with the --symbols resolver attached to its trace, then prints symbol warnings.</summary>
    public static int RunWith(ParseResult parseResult, Option<string?> option, Option<bool> verbose, CommandContext context,
        TraceInput input, Func<TraceInput, int> body, HandleKind? kind = HandleKind.Kernel, bool kindNote = false)
    {
        using var resolver = CreateResolver(parseResult, option);
        input.Symbolizer = resolver;
        int code = body(input);
        TraceOptions.WarnCoverage(input.Coverage, context.Error, kind, kindNote);
        Report(resolver, context, parseResult.GetValue(verbose));
        return code;
    }

    /// <summary>Symbol warnings (mismatched PDBs, modules without symbols) and, with --verbose, the time spent.</summary>
    public static void Report(SymbolResolver? resolver, CommandContext context, bool verbose)
    {
        if (resolver is null)
        {
            if (verbose) context.Error.WriteLine("symbols: no symbol path (--symbols or _NT_SYMBOL_PATH), frames stay module+0xOFFSET");
            return;
        }
        foreach (string warning in resolver.Warnings) context.Error.WriteLine("warning: " + warning);
        if (verbose)
            context.Error.WriteLine($"symbols: {resolver.Lookups} lookups, {resolver.CacheHits} cache hits, " +
                                    $"{resolver.ModulesWithSymbols} modules with symbols, {resolver.ResolutionTime.TotalMilliseconds:F0} ms");
    }
}
