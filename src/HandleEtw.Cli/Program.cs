using System.CommandLine;
using HandleEtw.Cli.Commands;

namespace HandleEtw.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given writers (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        RootCommand root = BuildRoot();
        ParseResult parsed = root.Parse(args);
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "handleetw: finds handle leaks and handle misuse on Windows from ETW traces, for every process at once.");
        foreach (Command command in CommandCatalog.All())
            root.Subcommands.Add(command);
        return root;
    }
}
