using System.CommandLine;
using HandleEtw.Core.Records;

namespace HandleEtw.Cli.Commands;

/// <summary>
/// Runs a command body and turns expected failures into one line on stderr and an exit code: a user never sees a
/// stack trace for a bad file, a bad argument or an unsupported platform.
/// </summary>
public static class CommandRunner
{
    public static void SetGuardedAction(this Command command, Func<ParseResult, CommandContext, int> body)
    {
        command.SetAction(parseResult =>
        {
            var context = new CommandContext(
                parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
            return Guard(command.Name, context, () => body(parseResult, context));
        });
    }

    public static int Guard(string name, CommandContext context, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UserErrorException e)
        {
            context.Error.WriteLine($"handleetw {name}: {e.Message}");
            return e.ExitCode;
        }
        catch (TraceFormatException e)
        {
            context.Error.WriteLine($"handleetw {name}: {e.Message}");
            return ExitCodes.FormatError;
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine($"handleetw {name}: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"handleetw {name}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            context.Error.WriteLine($"handleetw {name}: internal error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}

/// <summary>An expected failure with a message meant for the user.</summary>
public sealed class UserErrorException(string message, int exitCode = ExitCodes.ArgumentError) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Where a command writes.</summary>
public sealed record CommandContext(TextWriter Out, TextWriter Error);
