namespace HandleEtw.Synthetic.Scenarios;

public static partial class HandleScenarios
{
    /// <summary>
    /// A leak that starts late: leakyhandles churns (fun3 opens and closes an Event each step; fun5 keeps a pool of
    /// up to 40 Mutants, opened and closed in waves) for <paramref name="churn"/>, then fun4 also opens an Event each
    /// step and never closes it, until <paramref name="total"/>. One step every <paramref name="step"/>.
    /// </summary>
    public static TraceScript LateLeak(TimeSpan churn, TimeSpan total, TimeSpan step, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread main = AddLeakyHandlesProcess(script).Thread(5120);
        string[] fun3 = ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase];
        string[] fun3Close = ["kernelbase!CloseHandle", "fun3", "main", .. TraceScript.ThreadBase];
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        string[] fun5 = ["kernelbase!CreateEventW", "fun5", "main", .. TraceScript.ThreadBase];
        string[] fun5Close = ["kernelbase!CloseHandle", "fun5", "main", .. TraceScript.ThreadBase];
        var pool = new Queue<uint>();
        long steps = total.Ticks / step.Ticks, leakFrom = churn.Ticks / step.Ticks;
        for (long i = 0; i < steps; i++)
        {
            main.Close(main.Create("Event", fun3), fun3Close);
            if (i % 80 < 40) pool.Enqueue(main.Create("Mutant", fun5, api: "NtCreateMutant"));
            else if (pool.Count > 0) main.Close(pool.Dequeue(), fun5Close);
            if (i >= leakFrom) main.Create("Event", fun4);
            script.Advance(step);
        }
        return script;
    }
}
