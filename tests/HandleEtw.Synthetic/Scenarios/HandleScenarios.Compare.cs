namespace HandleEtw.Synthetic.Scenarios;

/// <summary>A build of the leakyhandles demo, for before/after comparisons.</summary>
/// <param name="Fun4Closes">The fix: fun4 closes the event it creates.</param>
/// <param name="Fun4Rva">Where fun4 lies in the image (a rebuild moves it; 0x1A00 is the original).</param>
/// <param name="Fun5Leaks">A new leak: fun5 opens a Mutant every iteration and never closes it.</param>
public sealed record LeakyBuild(bool Fun4Closes = false, uint Fun4Rva = 0x1A00, bool Fun5Leaks = false);

public static partial class HandleScenarios
{
    /// <summary><see cref="LeakyHandles"/> as the given build runs it: fun3 pairs, fun4 (and fun5) as the build says;
    /// the iterations spread over <paramref name="duration"/> (60 s unless given).</summary>
    public static TraceScript LeakyHandlesBuild(LeakyBuild build, int iterations = 200, ScriptOptions? options = null,
                                                TimeSpan? duration = null)
    {
        var script = new TraceScript(options);
        ScriptThread main = AddLeakyHandlesProcess(script, fun4Rva: build.Fun4Rva).Thread(5120);
        long gap = (duration ?? TimeSpan.FromSeconds(60)).Ticks / Math.Max(1, iterations);
        string[] fun3 = ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase];
        string[] fun3Close = ["kernelbase!CloseHandle", "fun3", "main", .. TraceScript.ThreadBase];
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        string[] fun4Close = ["kernelbase!CloseHandle", "fun4", "main", .. TraceScript.ThreadBase];
        string[] fun5 = ["kernelbase!CreateEventW", "fun5", "main", .. TraceScript.ThreadBase];
        for (int i = 0; i < iterations; i++)
        {
            main.Close(main.Create("Event", fun3), fun3Close);
            uint leaked = main.Create("Event", fun4);
            if (build.Fun4Closes) main.Close(leaked, fun4Close);
            if (build.Fun5Leaks) main.Create("Mutant", fun5, api: "NtCreateMutant");
            script.Advance(TimeSpan.FromTicks(gap));
        }
        return script;
    }
}
