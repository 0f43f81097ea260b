using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>Ready-made scenarios. Each returns the script: write it with WriteTo, check against its Facts.</summary>
public static partial class HandleScenarios
{
    public const int LeakyPid = 4242;

    /// <summary>leakyhandles.exe with main, fun3, fun4 (as in the !htrace demo).</summary>
    /// <param name="fun4Rva">Where fun4 lies in the image: another value is a rebuild that moved it.</param>
    public static ScriptProcess AddLeakyHandlesProcess(TraceScript script, int pid = LeakyPid, bool is32Bit = false, uint fun4Rva = 0x1A00)
    {
        ScriptProcess p = script.AddProcess(pid, "leakyhandles.exe", @"C:\demo\leakyhandles.exe --loop", is32Bit: is32Bit);
        p.Module("leakyhandles.exe", is32Bit ? 0x0040_0000UL : 0x7FF6_1230_0000UL, 0x2_0000, @"\Device\HarddiskVolume3\demo\leakyhandles.exe",
                new PdbIdentity(new Guid("5d1b5f3e-8a2c-4c39-9a51-1f0e2d3c4b5a"), 2, @"C:\src\leakyhandles\x64\Release\leakyhandles.pdb"))
            .Function("main", 0x1000, 0x300).Function("fun3", 0x1400, 0x200).Function("fun4", fun4Rva, 0x200)
            .Function("fun5", 0x3000, 0x200);
        return p;
    }

    /// <summary>main loops: fun3 creates an event and closes it, fun4 creates one and never closes it. The leak
    /// grows by one Event handle per iteration, spread evenly over <paramref name="duration"/>.</summary>
    public static TraceScript LeakyHandles(int iterations = 200, TimeSpan? duration = null, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess p = AddLeakyHandlesProcess(script);
        ScriptThread main = p.Thread(5120);
        long gap = (duration ?? TimeSpan.FromSeconds(60)).Ticks / Math.Max(1, iterations);
        string[] fun3 = ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase];
        string[] fun3Close = ["kernelbase!CloseHandle", "fun3", "main", .. TraceScript.ThreadBase];
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        for (int i = 0; i < iterations; i++)
        {
            uint h = main.Create("Event", fun3);
            main.Close(h, fun3Close);
            main.Create("Event", fun4);
            script.Advance(TimeSpan.FromTicks(gap));
        }
        return script;
    }

    /// <summary>A process opens handles and exits without closing them: the kernel's exit sweep closes them.</summary>
    public static TraceScript ProcessExitsHoldingHandles(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess p = AddLeakyHandlesProcess(script);
        ScriptThread main = p.Thread(5120);
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        for (int i = 0; i < 5; i++) main.Create("Event", fun4);
        main.Create("File", ["kernelbase!CreateFileW", "main", .. TraceScript.ThreadBase], api: "NtCreateFile");
        script.Advance(TimeSpan.FromMilliseconds(50));
        script.Exit(p, exitCode: 0);
        return script;
    }

    /// <summary>A broker duplicates a Process handle into a worker, which uses and closes it.</summary>
    public static TraceScript DuplicateIntoOtherProcess(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess broker = AddLeakyHandlesProcess(script);
        ScriptProcess worker = script.AddProcess(4300, "worker.exe");
        worker.Module("worker.exe", 0x7FF6_5550_0000UL, 0x1_0000).Function("serve", 0x2000);
        ScriptThread bt = broker.Thread(5120), wt = worker.Thread(5200);
        uint source = bt.Create("Process", ["kernelbase!OpenProcess", "main", .. TraceScript.ThreadBase], api: "NtOpenProcess");
        uint target = bt.Duplicate(source, worker, user: ["kernelbase!DuplicateHandle", "fun3", "main", .. TraceScript.ThreadBase]);
        bt.Close(source, ["kernelbase!CloseHandle", "main", .. TraceScript.ThreadBase]);
        script.Advance(TimeSpan.FromMilliseconds(10));
        wt.Close(target, ["kernelbase!CloseHandle", "serve", .. TraceScript.ThreadBase]);
        return script;
    }

    /// <summary>DuplicateHandle with DUPLICATE_CLOSE_SOURCE: the Duplicate event, then the kernel's CloseHandle of the
    /// source in the source process, same thread, same timestamp.</summary>
    public static TraceScript DuplicateWithCloseSource(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess broker = AddLeakyHandlesProcess(script);
        ScriptProcess worker = script.AddProcess(4300, "worker.exe");
        ScriptThread bt = broker.Thread(5120);
        uint source = bt.Create("Event", ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase]);
        bt.Duplicate(source, worker, closeSource: true, user: ["kernelbase!DuplicateHandle", "main", .. TraceScript.ThreadBase]);
        return script;
    }

    /// <summary>One value created and closed again and again; every instance is a different object.</summary>
    public static TraceScript HandleValueReuse(int cycles = 10, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread main = AddLeakyHandlesProcess(script).Thread(5120);
        for (int i = 0; i < cycles; i++)
        {
            uint h = main.Create("Event", ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase]);
            main.Close(h, ["kernelbase!CloseHandle", "fun3", "main", .. TraceScript.ThreadBase]);
        }
        return script;
    }

    /// <summary>A close was lost: a create reports a value that is still open in the trace's view.</summary>
    public static TraceScript LostClose(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread main = AddLeakyHandlesProcess(script).Thread(5120);
        uint h = main.Create("Event", ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase]);
        script.Advance(TimeSpan.FromMilliseconds(5));
        main.Create("Event", ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase], handle: h);
        return script;
    }

    /// <summary>No rundown: closes of handles the trace never saw created.</summary>
    public static TraceScript NoRundown(ScriptOptions? options = null)
    {
        var script = new TraceScript((options ?? new ScriptOptions()) with { TypeRundown = false, HandleRundownAtStart = false });
        ScriptProcess p = AddLeakyHandlesProcess(script);
        ScriptThread main = p.Thread(5120);
        main.CloseUnseen(0x1C, "Event", ["kernelbase!CloseHandle", "main", .. TraceScript.ThreadBase]);
        main.CloseUnseen(0x24, "File", ["kernelbase!CloseHandle", "main", .. TraceScript.ThreadBase]);
        uint h = main.Create("Event", ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase]);
        main.Close(h, ["kernelbase!CloseHandle", "fun3", "main", .. TraceScript.ThreadBase]);
        return script;
    }

    /// <summary>Handles present before the trace, announced by HandleDCStart, some closed during the trace.</summary>
    public static TraceScript WithHandleRundown(ScriptOptions? options = null)
    {
        var script = new TraceScript((options ?? new ScriptOptions()) with { HandleRundownAtStart = true, HandleRundownAtEnd = true });
        ScriptProcess p = AddLeakyHandlesProcess(script);
        ScriptThread main = p.Thread(5120);
        uint key = script.Preexisting(p, "Key", @"\REGISTRY\MACHINE\SOFTWARE\Demo");
        script.Preexisting(p, "File", @"\Device\HarddiskVolume3\demo\log.txt");
        main.Close(key, ["kernelbase!CloseHandle", "main", .. TraceScript.ThreadBase], name: @"\REGISTRY\MACHINE\SOFTWARE\Demo");
        main.Create("Event", ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase]);
        return script;
    }
}
