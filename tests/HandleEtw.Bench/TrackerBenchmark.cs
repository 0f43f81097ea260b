using System.Diagnostics;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Bench;

/// <summary>
/// Handle events through the tracker on one thread, decode excluded (pre-built arrays), and bytes per live handle
/// (GC.GetTotalMemory around 1 M live handles).
/// </summary>
public sealed class TrackerBenchmark : IBenchmark
{
    public string Name => "tracker";
    public string Description => "events/s through the handle tracker; bytes per live handle";

    public int Run(string[] args)
    {
        int events = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 4_000_000;
        var info = new TraceInfo { ClockFrequency = 10_000_000 };
        Baseline();
        RunThroughput(info, events);
        Memory(info);
        return 0;
    }

    private static void RunThroughput(TraceInfo info, int events)
    {
        HandleEvent[] churn = Churn(events);
        Throughput(info, churn, hints: false); // warm-up (tiered JIT)
        Throughput(info, churn, hints: true);
        (double wall, double cpu) plain = (0, 0), hinted = (0, 0);
        for (int round = 0; round < 5; round++)
        {
            var r = Throughput(info, churn, hints: false);
            plain = (Math.Max(plain.wall, r.Wall), Math.Max(plain.cpu, r.Cpu));
            r = Throughput(info, churn, hints: true);
            hinted = (Math.Max(hinted.wall, r.Wall), Math.Max(hinted.cpu, r.Cpu));
        }
        Console.WriteLine($"tracker: {plain.wall / 1e6:0.0} M events/s wall, {plain.cpu / 1e6:0.0} M events per thread-CPU-second " +
                          $"(best of 5 × {events:N0} events: create/close/duplicate churn, 64 processes, ~32 k live; load average {LoadAverage()})");
        Console.WriteLine($"tracker with prefetch hints {TraceConsumer.PrefetchDistance} events ahead (as the consumer thread " +
                          $"replays): {hinted.wall / 1e6:0.0} M events/s wall, {hinted.cpu / 1e6:0.0} M per thread-CPU-second, " +
                          $"{hinted.cpu / plain.cpu:0.00}× the plain rate");
    }

    /// <summary>What this machine does right now: random lookups in a Dictionary&lt;int,int&gt; of 32 k entries.</summary>
    private static void Baseline()
    {
        var map = new Dictionary<int, int>();
        for (int i = 0; i < 32_768; i++) map[i * 4] = i;
        var keys = new int[4_000_000];
        var rng = new Random(3);
        for (int i = 0; i < keys.Length; i++) keys[i] = 4 * rng.Next(32_768);
        double best = 0;
        long sum = 0;
        for (int round = 0; round < 5; round++)
        {
            double start = ThreadCpuClock.Seconds() ?? 0;
            var watch = Stopwatch.StartNew();
            foreach (int k in keys) sum += map[k];
            double cpu = ThreadCpuClock.Seconds() - start ?? watch.Elapsed.TotalSeconds;
            best = Math.Max(best, keys.Length / cpu);
        }
        Console.WriteLine($"baseline: {best / 1e6:0.0} M Dictionary<int,int> lookups per thread-CPU-second (checksum {sum % 10})");
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    /// <summary>A steady state: about 64 k live handles, values reused, duplicates across processes.</summary>
    private static HandleEvent[] Churn(int count)
    {
        var rng = new Random(7);
        var result = new HandleEvent[count];
        var live = new uint[64, 1024];
        for (int i = 0; i < count; i++)
        {
            int p = rng.Next(64);
            int slot = rng.Next(1024);
            int pid = 1000 + p * 4;
            uint handle = live[p, slot];
            if (handle == 0)
            {
                handle = live[p, slot] = 4 * (uint)(slot + 1);
                bool dup = (i & 15) == 0;
                result[i] = dup
                    ? new HandleEvent { Op = HandleOp.Duplicate, Timestamp = i, ProcessId = pid, ThreadId = pid + (i & 15), Handle = 0x9000, SourceProcessId = 999, TargetProcessId = pid, TargetHandle = handle, Object = (ulong)i, ObjectType = (ushort)(slot & 7), StackId = slot & 255 }
                    : new HandleEvent { Op = HandleOp.Create, Timestamp = i, ProcessId = pid, ThreadId = pid + (i & 15), Handle = handle, Object = (ulong)i, ObjectType = (ushort)(slot & 7), StackId = slot & 255 };
            }
            else
            {
                live[p, slot] = 0;
                result[i] = new HandleEvent { Op = HandleOp.Close, Timestamp = i, ProcessId = pid, ThreadId = pid + (i & 7), Handle = handle, StackId = 300 };
            }
        }
        return result;
    }

    /// <summary>Wall-clock rate, and the rate per CPU-second of this process (the machine may be shared).</summary>
    private static (double Wall, double Cpu) Throughput(TraceInfo info, HandleEvent[] events, bool hints)
    {
        var tracker = new HandleTracker(info);
        double? cpuBefore = ThreadCpuClock.Seconds();
        var watch = Stopwatch.StartNew();
        if (hints) tracker.OnHandles(events); // one run of handle events, as the consumer thread hands them over
        else
            for (int i = 0; i < events.Length; i++) tracker.OnHandle(events[i]);
        watch.Stop();
        double cpu = ThreadCpuClock.Seconds() - cpuBefore ?? watch.Elapsed.TotalSeconds;
        GC.KeepAlive(tracker);
        return (events.Length / watch.Elapsed.TotalSeconds, events.Length / Math.Max(cpu, 1e-9));
    }

    private static void Memory(TraceInfo info)
    {
        const int Handles = 1_000_000;
        var events = new HandleEvent[Handles];
        for (int i = 0; i < Handles; i++)
            events[i] = new HandleEvent { Op = HandleOp.Create, Timestamp = i, ProcessId = 1000 + (i & 63) * 4, ThreadId = 1, Handle = 4 * (uint)(i / 64 + 1), Object = (ulong)i, ObjectType = (ushort)(i & 7), StackId = i & 1023 };
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var tracker = new HandleTracker(info);
        var watch = Stopwatch.StartNew();
        foreach (HandleEvent e in events) tracker.OnHandle(e);
        watch.Stop();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(events);
        Console.WriteLine($"tracker: 1 M creates in {watch.Elapsed.TotalMilliseconds:0} ms");
        Console.WriteLine($"tracker: {(after - before) / (double)tracker.LiveHandleCount:0.0} bytes per live handle ({tracker.LiveHandleCount:N0} live handles in 64 processes, names absent)");
        GC.KeepAlive(tracker);
    }
}
