using System.CommandLine;

namespace HandleEtw.Cli.Commands;

/// <summary>Every command of the product, in the order --help lists them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return RecordCommand.Create();
        yield return DiffCommand.Create();
        yield return HistoryCommand.Create();
        yield return LeaksCommand.Create();
        yield return MisuseCommand.Create();
        yield return CompareCommand.Create();
        yield return StatsCommand.Create();
        yield return ConvertCommand.Create();
        yield return ReportCommand.Create();
        yield return SymbolizeCommand.Create();
        yield return SelftestCommand.Create();
        yield return SelftestCommand.CreateChild();
    }
}
