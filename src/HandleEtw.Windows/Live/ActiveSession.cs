namespace HandleEtw.Windows.Live;

/// <summary>One running ETW session as QueryAllTraces lists it.</summary>
public sealed record ActiveSession(string Name, string LogFileName, uint LogFileMode, uint EnableFlags, uint BuffersWritten);

/// <summary>Who probably holds the kernel logger: the API names no owner, so guess from session and file names.</summary>
public static class KernelLoggerOwner
{
    private static readonly (string Hint, string Tool)[] Hints =
    [
        ("perfview", "PerfView"),
        ("wpr", "WPR"),
        ("xperf", "xperf"),
        ("uiforetw", "UIforETW"),
        ("procmon", "Process Monitor"),
        ("procexp", "Process Explorer"),
        ("sysmon", "Sysmon"),
        ("fibratus", "fibratus"),
        ("tracy", "Tracy"),
    ];

    /// <summary>The kernel logger among <paramref name="sessions"/>, or null when it is free.</summary>
    public static ActiveSession? Find(IEnumerable<ActiveSession> sessions) =>
        sessions.FirstOrDefault(s => string.Equals(s.Name, SessionPlan.KernelLoggerName, StringComparison.OrdinalIgnoreCase));

    /// <summary>A tool name, from the kernel logger's file, then from the other sessions' names.</summary>
    public static string Guess(ActiveSession kernelLogger, IEnumerable<ActiveSession> sessions)
    {
        string? byFile = Match(kernelLogger.LogFileName);
        if (byFile is not null) return byFile;
        foreach (ActiveSession s in sessions)
        {
            if (ReferenceEquals(s, kernelLogger)) continue;
            string? byName = Match(s.Name) ?? Match(s.LogFileName);
            if (byName is not null) return byName;
        }
        return "another tool";
    }

    private static string? Match(string text)
    {
        foreach (var (hint, tool) in Hints)
            if (text.Contains(hint, StringComparison.OrdinalIgnoreCase)) return tool;
        return null;
    }

    /// <summary>The one-line refusal when the fallback needs the kernel logger and someone holds it.</summary>
    public static string RefusalMessage(string tool) =>
        $"the NT Kernel Logger is in use (probably by {tool}); stop that trace first, or run again with --force to take it over (this stops {tool}'s trace)";
}
