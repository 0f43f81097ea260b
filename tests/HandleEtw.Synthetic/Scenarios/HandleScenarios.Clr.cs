using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>Handle bugs in .NET services, with JIT-compiled code in their stacks.</summary>
public static partial class HandleScenarios
{
    public const int W3wpPid = 7200, OrderServicePid = 7300;

    private const string GacPath = @"C:\Windows\Microsoft.Net\assembly\GAC_64";
    private const string Mscorlib = @"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\mscorlib.dll";

    /// <summary>
    /// The w3wp connection-pool case: a request thread's ReportCache.Refresh creates and closes an event; the pool
    /// thread's DbConnectionPool creates its Semaphore and gets the same value; ReportCache.Dispose closes that value
    /// again (a stale close: it closes the pool's semaphore); the request's next Refresh (re-JIT'd meanwhile at another
    /// address) creates an event with the value, and the pool's next PutObject closes it (the crossed close).
    /// </summary>
    public static TraceScript ConnectionPool(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess w3wp = AddDotNetProcess(script, W3wpPid, "w3wp.exe", @"c:\windows\system32\inetsrv\w3wp.exe -ap ""ReportSite""");
        ScriptThread pool = w3wp.Thread(7210), request = w3wp.Thread(7214);
        ClrModule corlib = script.LoadClrModule(w3wp, Mscorlib);
        ClrModule data = script.LoadClrModule(w3wp, $@"{GacPath}\System.Data\v4.0_4.0.0.0__b77a5c561934e089\System.Data.dll");
        ClrModule site = script.LoadClrModule(w3wp, @"C:\inetpub\wwwroot\bin\ReportSite.dll");
        const string PoolType = "System.Data.ProviderBase.DbConnectionPool";
        script.Jit(w3wp, corlib, "System.Threading.EventWaitHandle", ".ctor", 0x7FF9_1000_0100, 0x120);
        script.Jit(w3wp, corlib, "System.Threading.Semaphore", ".ctor", 0x7FF9_1000_0300, 0xF0);
        script.Jit(w3wp, corlib, "Microsoft.Win32.SafeHandles.SafeWaitHandle", "ReleaseHandle", 0x7FF9_1000_0400, 0x40);
        script.Jit(w3wp, data, PoolType + "+PoolWaitHandles", ".ctor", 0x7FF9_1000_0500, 0x1A0);
        script.Jit(w3wp, data, PoolType, ".ctor", 0x7FF9_1000_0700, 0x3C0);
        script.Jit(w3wp, data, PoolType, "PutObject", 0x7FF9_1000_0B00, 0x180);
        ClrMethod refresh = script.Jit(w3wp, site, "ReportSite.Cache.ReportCache", "Refresh", 0x7FF9_1000_1000, 0x200);
        script.Jit(w3wp, site, "ReportSite.Cache.ReportCache", "Dispose", 0x7FF9_1000_1300, 0x90);

        string[] requestBase = ["clr!CallDescrWorkerInternal", .. TraceScript.ThreadBase];
        string[] createEvent = ["kernelbase!CreateEventW", "mscorlib!System.Threading.EventWaitHandle..ctor", "ReportSite!ReportSite.Cache.ReportCache.Refresh", .. requestBase];
        string[] closeEvent = ["kernelbase!CloseHandle", "mscorlib!Microsoft.Win32.SafeHandles.SafeWaitHandle.ReleaseHandle", "ReportSite!ReportSite.Cache.ReportCache.Refresh", .. requestBase];
        string[] staleClose = ["kernelbase!CloseHandle", "mscorlib!Microsoft.Win32.SafeHandles.SafeWaitHandle.ReleaseHandle", "ReportSite!ReportSite.Cache.ReportCache.Dispose", .. requestBase];
        string[] poolCreate = ["kernelbase!CreateSemaphoreExW", "mscorlib!System.Threading.Semaphore..ctor",
            $"System.Data!{PoolType}+PoolWaitHandles..ctor", $"System.Data!{PoolType}..ctor", "clr!CallDescrWorkerInternal", .. TraceScript.ThreadBase];
        string[] poolClose = ["kernelbase!CloseHandle", "mscorlib!Microsoft.Win32.SafeHandles.SafeWaitHandle.ReleaseHandle",
            $"System.Data!{PoolType}.PutObject", "clr!CallDescrWorkerInternal", .. TraceScript.ThreadBase];

        script.Advance(TimeSpan.FromMilliseconds(5));
        uint h = request.Create("Event", createEvent);
        request.Close(h, closeEvent);
        uint semaphore = pool.Create("Semaphore", poolCreate, api: "NtCreateSemaphore");
        if (semaphore != h) throw new InvalidOperationException("handle value was not reused");
        script.Advance(TimeSpan.FromMilliseconds(20));
        request.Close(h, staleClose);
        script.Jit(w3wp, site, refresh.Namespace, refresh.Name, 0x7FF9_1000_4000, 0x1C0, rejit: 1, methodId: refresh.MethodId);
        script.Advance(TimeSpan.FromMilliseconds(20));
        request.Create("Event", createEvent);
        pool.Close(h, poolClose);
        return script;
    }

    /// <summary>
    /// OrderService leaks one event per order from OrderHandler.Process (JIT code; re-JIT'd at another address halfway,
    /// later leaks go through the new code). A dynamic method leaks too, is unloaded, and another dynamic method is
    /// compiled into the same range and leaks: each leak is named by the method that was there at the time.
    /// </summary>
    public static TraceScript ManagedLeak(int orders = 20, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess service = AddDotNetProcess(script, OrderServicePid, "OrderService.exe", @"C:\services\OrderService\OrderService.exe");
        ScriptThread worker = service.Thread(7310);
        ClrModule corlib = script.LoadClrModule(service, Mscorlib);
        ClrModule app = script.LoadClrModule(service, @"C:\services\OrderService\OrderService.exe");
        script.Jit(service, corlib, "System.Threading.EventWaitHandle", ".ctor", 0x7FF9_2000_0100, 0x120);
        ClrMethod process = script.Jit(service, app, "OrderService.Handlers.OrderHandler", "Process", 0x7FF9_2000_1000, 0x300);
        string[] leak = ["kernelbase!CreateEventW", "mscorlib!System.Threading.EventWaitHandle..ctor",
            "OrderService!OrderService.Handlers.OrderHandler.Process", "clr!CallDescrWorkerInternal", .. TraceScript.ThreadBase];
        for (int i = 0; i < orders; i++)
        {
            if (i == orders / 2)
                script.Jit(service, app, process.Namespace, process.Name, 0x7FF9_2000_8000, 0x280, rejit: 1, methodId: process.MethodId);
            worker.Create("Event", leak);
            script.Advance(TimeSpan.FromMilliseconds(100));
        }
        ClrMethod first = script.Jit(service, app, "dynamicClass", "Lambda_Create", 0x7FF9_2000_4000, 0x100);
        worker.Create("Event", ["kernelbase!CreateEventW", "OrderService!dynamicClass.Lambda_Create", .. TraceScript.ThreadBase]);
        script.Advance(TimeSpan.FromMilliseconds(100));
        script.UnloadMethod(service, app, first);
        script.Jit(service, app, "dynamicClass", "Lambda_Other", 0x7FF9_2000_4000, 0x100);
        worker.Create("Event", ["kernelbase!CreateEventW", "OrderService!dynamicClass.Lambda_Other", .. TraceScript.ThreadBase]);
        return script;
    }

    /// <summary>A .NET Framework process: the standard DLLs plus clr.dll and kernelbase's CreateSemaphoreExW.</summary>
    private static ScriptProcess AddDotNetProcess(TraceScript script, int pid, string image, string commandLine)
    {
        ScriptProcess p = script.AddProcess(pid, image, commandLine);
        p.ModuleNamed("kernelbase.dll").Function("CreateSemaphoreExW", 0x2_8000);
        p.Module("clr.dll", 0x7FFE_3000_0000UL, 0x80_0000, @"\Device\HarddiskVolume3\Windows\Microsoft.NET\Framework64\v4.0.30319\clr.dll")
            .Function("CallDescrWorkerInternal", 0x1_0000);
        return p;
    }
}
