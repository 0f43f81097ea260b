namespace HandleEtw.Windows.Recording;

/// <summary>The ways a recording is asked to end from outside (console control events on Windows).</summary>
public enum StopSignal
{
    Interrupt,   // Ctrl+C
    Break,       // Ctrl+Break
    ConsoleClose,
    Logoff,
    Shutdown,
}

/// <summary>
/// Every way out stops the kernel session, which otherwise outlives the process with its non-paged buffers. The first
/// Ctrl+C (or Ctrl+Break) finishes the files; a second one exits at once after stopping the session, even if the
/// consumer never returns. Console close, logoff and shutdown end the process as soon as the handler returns (after a
/// few seconds at most): the session is stopped first, then the files get what time is left.
/// </summary>
public sealed class ShutdownSequence(Action finish, Action stopSessionNow, Action<int> exitNow, Func<TimeSpan, bool> waitFinished)
{
    public const int InterruptedExitCode = 130;

    /// <summary>How long a close/logoff/shutdown handler waits for the files (Windows allows about 5 s).</summary>
    public static readonly TimeSpan EndingGrace = TimeSpan.FromSeconds(4);

    private int _interrupts;

    /// <summary>Handles one signal; true when the process should keep running (the signal was taken care of).</summary>
    public bool OnSignal(StopSignal signal)
    {
        if (signal is StopSignal.Interrupt or StopSignal.Break)
        {
            if (Interlocked.Increment(ref _interrupts) == 1)
            {
                finish();
                return true;
            }
            stopSessionNow();
            exitNow(InterruptedExitCode);
            return true;
        }
        // The process ends when the handler returns: stop the session before anything that could take time.
        stopSessionNow();
        finish();
        waitFinished(EndingGrace);
        return true;
    }
}
