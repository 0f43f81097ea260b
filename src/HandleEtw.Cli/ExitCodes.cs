namespace HandleEtw.Cli;

/// <summary>Process exit codes: scripts can tell a bad argument from a bad file from an unsupported platform.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int ArgumentError = 2;
    public const int FormatError = 3;
    public const int NotSupported = 4;

    /// <summary>The trace has no Object handle events (recorded without the Handle keyword): nothing can be answered.</summary>
    public const int NoHandleEvents = 5;

    /// <summary>--process / --pid matched no process of the trace.</summary>
    public const int NoProcessMatched = 6;
    public const int Cancelled = 130;
}
