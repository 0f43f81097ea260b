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
        yield return StatsCommand.Create();
        yield return ConvertCommand.Create();
        yield return ReportCommand.Create();
        yield return SymbolizeCommand.Create();
    }

    /// <summary>A command whose implementation has not landed: says so and exits non-zero.</summary>
    private static Command NotBuilt(string name, string description)
    {
        var command = new Command(name, description);
        var rest = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore };
        command.Arguments.Add(rest);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"handleetw {name}: not built yet in this version");
            return ExitCodes.NotBuilt;
        });
        return command;
    }
}
