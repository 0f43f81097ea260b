namespace HandleEtw.Synthetic.Scenarios;

/// <summary>Scenarios for the leak verdict (growing or flat) and for where a handle value came from.</summary>
public static partial class HandleScenarios
{
    public const int HolderPid = 4600, SlowPid = 4700, PoolPid = 4800;

    /// <summary>
    /// A stack whose second life is defined far from its references. fun4 leaks an Event; four other create stacks
    /// (fun5 and three of main's, one Semaphore each, closed at once) then push fun4's keys out of a 4-key cache
    /// (KeyDelete), so fun4's frames are known early. Then fun4 leaks again under a new key every
    /// <paramref name="leakEvery"/>-th of <paramref name="iterations"/> creates and closes the others; with cached
    /// stacks that key stays hot and is defined only by the KeyRundown at the end, about 2 x iterations handle events
    /// after its first reference.
    /// </summary>
    public static TraceScript LateStackDefinition(int iterations = 50_000, int leakEvery = 1_000, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread main = AddLeakyHandlesProcess(script).Thread(5120);
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        string[] close = ["kernelbase!CloseHandle", "fun3", "main", .. TraceScript.ThreadBase];
        main.Create("Event", fun4);
        string[][] others = [["fun5", "main"], ["main"], ["fun3", "fun5", "main"], ["fun5", "fun3", "main"]];
        foreach (string[] frames in others)
            main.Close(main.Create("Semaphore", ["kernelbase!CreateEventW", .. frames, .. TraceScript.ThreadBase], api: "NtCreateSemaphore"), close);
        long gap = TimeSpan.FromSeconds(60).Ticks / iterations;
        for (int i = 1; i <= iterations; i++)
        {
            uint h = main.Create("Event", fun4);
            if (i % leakEvery != 0) main.Close(h, close);
            script.Advance(TimeSpan.FromTicks(gap));
        }
        return script;
    }

    /// <summary>Over two minutes: svc.exe opens 200 registry keys in its first second and keeps them (a flat holder);
    /// leakyhandles.exe leaks an Event a second (fun4); slow.exe leaks a Mutant every 10 s; pool.exe keeps about 8
    /// Files open, closing each 1 s after opening it (churn); single.exe leaks exactly one Semaphore near the end.</summary>
    public static TraceScript FlatHolderAndLeaks(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread fast = AddLeakyHandlesProcess(script).Thread(5120);
        ScriptThread holder = AddService(script, HolderPid, "svc.exe").Thread(4604);
        ScriptThread slow = AddService(script, SlowPid, "slow.exe").Thread(4704);
        ScriptThread pool = AddService(script, PoolPid, "pool.exe").Thread(4804);
        ScriptThread single = AddService(script, 4900, "single.exe").Thread(4904);
        string[] keys = ["kernelbase!RegOpenKeyExW", "work", .. TraceScript.ThreadBase];
        for (int i = 0; i < 200; i++)
        {
            holder.Create("Key", keys, api: "NtOpenKey");
            script.Advance(TimeSpan.FromMilliseconds(4));
        }
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        string[] mutant = ["kernelbase!CreateEventW", "work", .. TraceScript.ThreadBase];
        string[] file = ["kernelbase!CreateFileW", "work", .. TraceScript.ThreadBase];
        string[] close = ["kernelbase!CloseHandle", "work", .. TraceScript.ThreadBase];
        var open = new Queue<uint>();
        for (int tenth = 0; tenth < 1200; tenth++)
        {
            if (tenth % 10 == 0) fast.Create("Event", fun4);
            if (tenth % 100 == 50) slow.Create("Mutant", mutant);
            if (tenth % 2 == 0) open.Enqueue(pool.Create("File", file, api: "NtCreateFile"));
            if (open.Count > 5) pool.Close(open.Dequeue(), close);
            if (tenth == 1150) single.Create("Semaphore", mutant);
            script.Advance(TimeSpan.FromMilliseconds(100));
        }
        return script;
    }

    /// <summary>leakyhandles.exe leaks an Event a second for a minute (fun4) beside <paramref name="services"/>
    /// services svc1.exe, svc2.exe, ... that open a few registry keys at the start and keep them (service k holds k + 2).</summary>
    public static TraceScript ManyProcesses(int services = 50, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread fast = AddLeakyHandlesProcess(script).Thread(5120);
        string[] keys = ["kernelbase!RegOpenKeyExW", "work", .. TraceScript.ThreadBase];
        for (int k = 1; k <= services; k++)
        {
            ScriptThread service = AddService(script, 10_000 + 4 * k, $"svc{k}.exe").Thread(20_000 + 4 * k);
            for (int i = 0; i < k + 2; i++) service.Create("Key", keys, api: "NtOpenKey");
        }
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        for (int second = 0; second < 60; second++)
        {
            fast.Create("Event", fun4);
            script.Advance(TimeSpan.FromSeconds(1));
        }
        return script;
    }

    private static ScriptProcess AddService(TraceScript script, int pid, string image)
    {
        ScriptProcess p = script.AddProcess(pid, image);
        p.Module(image, 0x7FF6_4000_0000UL + (ulong)pid * 0x10_0000, 0x1_0000).Function("work", 0x1200, 0x100);
        return p;
    }

    /// <summary>A parent hands an Event and a File to a child by inheritance; the child keeps the Event and closes
    /// the File; the parent closes its own copies.</summary>
    public static TraceScript InheritedAndKept(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread pt = AddLeakyHandlesProcess(script).Thread(5120);
        string[] close = ["kernelbase!CloseHandle", "main", .. TraceScript.ThreadBase];
        uint ev = pt.Create("Event", ["kernelbase!CreateEventW", "main", .. TraceScript.ThreadBase]);
        uint file = pt.Create("File", ["kernelbase!CreateFileW", "main", .. TraceScript.ThreadBase], api: "NtCreateFile");
        script.Advance(TimeSpan.FromMilliseconds(2));
        ScriptProcess child = script.SpawnInheriting(pt, 6000, "child.exe", ev, file);
        child.Module("child.exe", 0x7FF6_7770_0000UL, 0x1_0000).Function("wmain", 0x1100);
        ScriptThread ct = child.Thread(6004);
        script.Advance(TimeSpan.FromMilliseconds(3));
        ct.Close(file, ["kernelbase!CloseHandle", "wmain", .. TraceScript.ThreadBase]);
        pt.Close(ev, close);
        pt.Close(file, close);
        return script;
    }

    /// <summary>A worker takes an Event out of the broker with DuplicateHandle(DUPLICATE_CLOSE_SOURCE): both the
    /// Duplicate and the Close of the broker's handle are logged in the worker's context.</summary>
    public static TraceScript PulledWithCloseSource(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess broker = AddLeakyHandlesProcess(script);
        ScriptProcess worker = script.AddProcess(4300, "worker.exe");
        worker.Module("worker.exe", 0x7FF6_5550_0000UL, 0x1_0000).Function("serve", 0x2000);
        uint source = broker.Thread(5120).Create("Event", ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase]);
        script.Advance(TimeSpan.FromMilliseconds(5));
        worker.Thread(5200).Pull(broker, source, user: ["kernelbase!DuplicateHandle", "serve", .. TraceScript.ThreadBase]);
        return script;
    }
}
