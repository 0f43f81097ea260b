using System.CommandLine;

namespace HandleEtw.Cli.Commands;

/// <summary>Every command of the product, in the order --help lists them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return RecordCommand.Create();
        yield return NotBuilt("diff", "Handles opened after --from and still open at --to, grouped by create stack (!htrace -diff).");
        yield return NotBuilt("history", "Every OPEN / CLOSE / DUPLICATE of one handle value, newest first, with stacks.");
        yield return NotBuilt("leaks", "Handles still open at the end, grouped by process, type and create stack, ranked by growth.");
        yield return NotBuilt("misuse", "Double-close suspects: stale closes that closed another thread's reused handle value.");
        yield return StatsCommand.Create();
        yield return ConvertCommand.Create();
        yield return NotBuilt("report", "One self-contained HTML page: charts, type summary, leaks and diff.");
        yield return NotBuilt("symbolize", "Add a symbols table to a Parquet directory.");
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
