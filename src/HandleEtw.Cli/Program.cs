using System.CommandLine;
using HandleEtw.Cli.Commands;

namespace HandleEtw.Cli;

public static class Program
{
    /// <summary>Set to 1 to print the process's peak resident memory and CPU time to stderr at exit (for scale measurements).</summary>
    public const string PrintPeakVariable = "HANDLEETW_PRINT_PEAK";

    public static int Main(string[] args)
    {
        TextWriter stdout = StandardOutput();
        int code = Run(args, stdout, Console.Error);
        code = FlushOutput(stdout, code);
        if (Environment.GetEnvironmentVariable(PrintPeakVariable) == "1")
        {
            Console.Error.WriteLine($"peak_rss_bytes={PeakMemory.PeakResidentBytes()}");
            Console.Error.WriteLine(FormattableString.Invariant($"cpu_seconds={Environment.CpuUsage.TotalTime.TotalSeconds:F3}"));
        }
        return code;
    }

    /// <summary>
    /// Redirected output is buffered: `diff` on a large trace writes hundreds of thousands of lines, and Console.Out
    /// made each one a system call (795 k writes for a 3 M-event trace). A terminal keeps the console writer.
    /// </summary>
    private static TextWriter StandardOutput() => Console.IsOutputRedirected
        ? new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false }
        : Console.Out;

    /// <summary>A reader that went away (`| head`) is not an error of ours; output that cannot be written (a full
    /// disk, `> /dev/full`) is: one line and a non-zero exit, unless the command already failed.</summary>
    private static int FlushOutput(TextWriter writer, int code)
    {
        try
        {
            writer.Flush();
            return code;
        }
        catch (IOException e) when (IsBrokenPipe(e))
        {
            return code;
        }
        catch (IOException e)
        {
            if (code != ExitCodes.Ok) return code;
            Console.Error.WriteLine($"handleetw: cannot write the output: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>EPIPE on Unix; ERROR_BROKEN_PIPE and ERROR_NO_DATA on Windows.</summary>
    private static bool IsBrokenPipe(IOException e) =>
        e.HResult is 32 or unchecked((int)0x8007006D) or unchecked((int)0x800700E8);

    /// <summary>Runs the command line with the given writers (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        RootCommand root = BuildRoot(args.Length > 0 ? CommandCatalog.Named(args[0]) : null);
        ParseResult parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0)
        {
            // Wrong arguments: one line naming every problem, not a page of help.
            string command = parsed.CommandResult.Command == root ? "" : " " + parsed.CommandResult.Command.Name;
            stderr.WriteLine($"handleetw{command}: {string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')))} (see --help)");
            return ExitCodes.ArgumentError;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>The root with every command, or with only <paramref name="named"/> when the command line names one
    /// (its parse is the same: everything after the command's name is that command's).</summary>
    public static RootCommand BuildRoot(Command? named = null)
    {
        var root = new RootCommand(
            "handleetw: finds handle leaks and handle misuse on Windows from ETW traces, for every process at once.");
        if (named is not null) root.Subcommands.Add(named);
        else foreach (Command command in CommandCatalog.All()) root.Subcommands.Add(command);
        return root;
    }
}
