namespace HandleEtw.Synthetic.Scenarios;

/// <summary>Scenarios about ownership: inheritance, kernel handles, double closes, hand-over between threads.</summary>
public static partial class HandleScenarios
{
    /// <summary>A parent creates two inheritable handles and a child; the inheritance shows as Duplicate events
    /// (parent to parent, same value) before the child's Process/Start; the child closes both.</summary>
    public static TraceScript InheritedHandles(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess parent = AddLeakyHandlesProcess(script);
        ScriptThread pt = parent.Thread(5120);
        uint ev = pt.Create("Event", ["kernelbase!CreateEventW", "main", .. TraceScript.ThreadBase]);
        uint file = pt.Create("File", ["kernelbase!CreateFileW", "main", .. TraceScript.ThreadBase], api: "NtCreateFile");
        ScriptProcess child = script.SpawnInheriting(pt, 6000, "child.exe", ev, file);
        child.Module("child.exe", 0x7FF6_7770_0000UL, 0x1_0000).Function("wmain", 0x1100);
        ScriptThread ct = child.Thread(6004);
        script.Advance(TimeSpan.FromMilliseconds(3));
        ct.Close(ev, ["kernelbase!CloseHandle", "wmain", .. TraceScript.ThreadBase]);
        ct.Close(file, ["kernelbase!CloseHandle", "wmain", .. TraceScript.ThreadBase]);
        return script;
    }

    /// <summary>Kernel handles (bit 31) created and closed in a user process's context; one is never closed.</summary>
    public static TraceScript KernelHandles(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread main = AddLeakyHandlesProcess(script).Thread(5120);
        uint a = main.Create("Key", ["kernelbase!RegOpenKeyExW", "fun3", "main", .. TraceScript.ThreadBase], handle: 0x8000_0F28, api: "NtOpenKey");
        main.Create("Key", ["kernelbase!RegOpenKeyExW", "fun4", "main", .. TraceScript.ThreadBase], handle: 0x8000_0F2C, api: "NtOpenKey");
        main.Close(a, ["kernelbase!RegOpenKeyExW", "fun3", "main", .. TraceScript.ThreadBase], name: @"\REGISTRY\MACHINE\SYSTEM");
        return script;
    }

    /// <summary>Thread X closes H; thread Y opens H (value reused); X closes H again (closing Y's handle); another
    /// open of H by X; Y later closes H (closing X's).</summary>
    public static TraceScript DoubleClose(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess p = AddLeakyHandlesProcess(script);
        ScriptThread x = p.Thread(5120), y = p.Thread(5124);
        string[] create = ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase];
        string[] close = ["kernelbase!CloseHandle", "fun3", "main", .. TraceScript.ThreadBase];
        string[] bug = ["kernelbase!CloseHandle", "fun4", "main", .. TraceScript.ThreadBase];
        uint h = x.Create("Event", create);
        x.Close(h, close);
        uint reused = y.Create("Event", create);
        if (reused != h) throw new InvalidOperationException("handle value was not reused");
        x.Close(h, bug);
        x.Create("Event", create);
        y.Close(h, close);
        return script;
    }

    /// <summary>A producer creates events; pool threads close them; values are reused across the hand-over.</summary>
    public static TraceScript HandOver(int items = 40, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess p = AddLeakyHandlesProcess(script);
        ScriptThread producer = p.Thread(5120);
        ScriptThread[] pool = [p.Thread(5200), p.Thread(5204), p.Thread(5208)];
        string[] create = ["kernelbase!CreateEventW", "fun3", "main", .. TraceScript.ThreadBase];
        string[] close = ["kernelbase!CloseHandle", "ntdll!TppWorkerThread", .. TraceScript.ThreadBase];
        var queue = new Queue<uint>();
        for (int i = 0; i < items; i++)
        {
            queue.Enqueue(producer.Create("Event", create));
            if (queue.Count >= 3) pool[i % pool.Length].Close(queue.Dequeue(), close);
        }
        for (int i = 0; queue.Count > 0; i++) pool[i % pool.Length].Close(queue.Dequeue(), close);
        return script;
    }

    /// <summary>A 32-bit process (SYSTEM32 records, 4-byte pointers) beside a 64-bit one; both leak.</summary>
    public static TraceScript Wow64Process(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread wide = AddLeakyHandlesProcess(script).Thread(5120);
        ScriptThread narrow = AddLeakyHandlesProcess(script, pid: 4500, is32Bit: true).Thread(5300);
        string[] fun4 = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        for (int i = 0; i < 3; i++)
        {
            wide.Create("Event", fun4);
            narrow.Create("Event", fun4);
        }
        script.LoseEvents(cpu: 1);
        return script;
    }
}
