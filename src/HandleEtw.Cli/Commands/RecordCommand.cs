using System.CommandLine;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw record`: a live kernel session. Windows only.</summary>
public static class RecordCommand
{
    public static Command Create()
    {
        var command = new Command("record", "Record handle create/close/duplicate events with stacks from a live ETW session (Windows, elevated).");
        var process = new Option<string?>("--process") { Description = "Keep and show only this process (image name, e.g. lsass)." };
        var pid = new Option<int?>("--pid") { Description = "Keep and show only this process id." };
        command.Options.Add(process);
        command.Options.Add(pid);
        command.SetGuardedAction((parseResult, context) =>
        {
            if (!OperatingSystem.IsWindows())
                throw new UserErrorException(
                    "live recording needs Windows (an ETW kernel session); on this OS, analyse a recorded .etl with diff, leaks or stats",
                    ExitCodes.NotSupported);
            throw new UserErrorException("live recording is not built yet in this version", ExitCodes.NotBuilt);
        });
        return command;
    }
}
