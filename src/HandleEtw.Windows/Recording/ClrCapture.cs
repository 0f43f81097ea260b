using HandleEtw.Etl.Decoding;

namespace HandleEtw.Windows.Recording;

/// <summary>
/// What `record` asks of the .NET runtime so JIT-compiled frames can be named (Microsoft-Windows-DotNETRuntime while
/// recording, its rundown provider at the stop; keywords from ClrEtwAll.man). Platform-neutral so it is tested
/// everywhere; the live session only passes these values to EnableTraceEx2.
/// </summary>
public sealed record ClrCapture
{
    public const ulong LoaderKeyword = 0x8, JitKeyword = 0x10, EndRundownKeyword = 0x100, ILToNativeMapKeyword = 0x20000;

    /// <summary>TRACE_LEVEL_VERBOSE: the method events are Informational (4), the IL-to-native maps Verbose.</summary>
    public const byte Level = 5;

    /// <summary>While recording: module loads, JIT method loads/unloads, IL maps of JIT code.</summary>
    public const ulong RuntimeKeywords = LoaderKeyword | JitKeyword | ILToNativeMapKeyword;

    /// <summary>Rundown step 1: every runtime lists its modules (cheap, and it names the methods of step 2).</summary>
    public const ulong RundownModuleKeywords = LoaderKeyword | EndRundownKeyword;

    /// <summary>Rundown step 2: every runtime lists its JIT-compiled methods and their IL maps (slow on big services).</summary>
    public const ulong RundownMethodKeywords = LoaderKeyword | JitKeyword | EndRundownKeyword | ILToNativeMapKeyword;

    public static readonly Guid RuntimeProvider = ClrPayloads.RuntimeProvider;
    public static readonly Guid RundownProvider = ClrPayloads.RundownProvider;

    /// <summary>Enable the runtime provider while recording (`--no-clr` turns .NET capture off altogether).</summary>
    public bool Runtime { get; init; } = true;

    /// <summary>Run the rundown at the stop (`--no-clr-rundown`): methods compiled before the recording get names.</summary>
    public bool Rundown { get; init; } = true;

    /// <summary>The most the rundown may take (`--clr-rundown-timeout`); then the session stops with what arrived.</summary>
    public TimeSpan RundownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Between step 1 and step 2, as PerfView does: a method rundown that never ends still leaves the modules.</summary>
    public TimeSpan StepDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Done when every runtime that began has completed and nothing more arrived for this long.</summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>No runtime began its rundown this long after step 2: no .NET process is running (or none answers).</summary>
    public TimeSpan NoAnswerWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the stop sequence flushes the session and looks at the progress.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(250);

    public static ClrCapture Off => new() { Runtime = false, Rundown = false };

    /// <summary>From the command line: `--no-clr` implies no rundown; the timeout must be positive.</summary>
    public static ClrCapture From(bool noClr, bool noRundown, TimeSpan? timeout)
    {
        if (timeout is { } t && t <= TimeSpan.Zero) throw new ArgumentException("--clr-rundown-timeout must be positive");
        if (noClr) return Off;
        var capture = new ClrCapture { Rundown = !noRundown };
        return timeout is { } limit ? capture with { RundownTimeout = limit } : capture;
    }
}
