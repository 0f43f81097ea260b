using HandleEtw.Core.Json;

namespace HandleEtw.Windows.Recording;

/// <summary>What `record` got from the .NET runtime: the runtime provider while recording, the rundown at the stop.</summary>
public sealed class ClrStatus
{
    /// <summary>The runtime provider was enabled on the session.</summary>
    public bool Runtime { get; set; }

    /// <summary>Why it was not (kernel-logger path, EnableTraceEx2 error, --no-clr); null when it was.</summary>
    public string? RuntimeProblem { get; set; }

    /// <summary>The stop-time rundown, once it ran; null when it did not (--no-clr-rundown, or not possible).</summary>
    public RundownOutcome? Rundown { get; set; }

    public IEnumerable<string> SummaryLines()
    {
        if (RuntimeProblem is not null) yield return ".NET method events: " + RuntimeProblem;
        if (Rundown is not null) yield return Rundown.Summary();
    }

    public RecordClrJson ToJson() => new(Runtime, RuntimeProblem,
        Rundown is null ? "off" : Rundown.End.ToString().ToLowerInvariant() switch { "timedout" => "timed_out", "noanswer" => "no_answer", var s => s },
        Rundown?.Progress.Begun ?? 0, Rundown?.Progress.Completed ?? 0, Rundown?.Progress.Methods ?? 0,
        Rundown?.Progress.Unfinished ?? [], Rundown is null ? null : Math.Round(Rundown.Elapsed.TotalSeconds, 3));
}
