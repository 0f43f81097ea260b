using System.CommandLine;

namespace HandleEtw.Cli.Commands;

/// <summary>Every command of the product, in the order --help lists them.</summary>
public static class CommandCatalog
{
    private static readonly (string Name, Func<Command> Create)[] Factories =
    [
        ("record", RecordCommand.Create),
        ("diff", DiffCommand.Create),
        ("history", HistoryCommand.Create),
        ("leaks", LeaksCommand.Create),
        ("misuse", MisuseCommand.Create),
        ("compare", CompareCommand.Create),
        ("stats", StatsCommand.Create),
        ("convert", ConvertCommand.Create),
        ("report", ReportCommand.Create),
        ("symbolize", SymbolizeCommand.Create),
        ("selftest", SelftestCommand.Create),
        ("selftest-child", SelftestCommand.CreateChild),
    ];

    public static IEnumerable<Command> All()
    {
        foreach (var (_, create) in Factories) yield return create();
    }

    /// <summary>The command of that name alone, or null: a command line that names one needs no other built, and
    /// building all of them (their options, their types) is a good part of the start-up.</summary>
    public static Command? Named(string name)
    {
        foreach (var (commandName, create) in Factories)
            if (commandName == name) return create();
        return null;
    }
}
