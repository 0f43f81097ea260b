using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Synthetic.Scale;

public sealed record ScaleOptions
{
    public long Events { get; init; } = 1_000_000;
    public bool Compress { get; init; }
    public bool CachedStacks { get; init; }
    /// <summary>Keys of the kernel and of the user stack cache (cached stacks only): a small cache evicts and reuses
    /// keys all the time, as real recordings do.</summary>
    public int StackCacheSize { get; init; } = 4096;
    /// <summary>Which key a full cache gives up: the least recently used (as Windows does) or the oldest.</summary>
    public StackCacheEviction StackCacheEviction { get; init; } = StackCacheEviction.Lru;
    public int Processes { get; init; } = 64;
    /// <summary>Processors of the recorded machine: one buffer stream each (more than 8 takes the general merge).</summary>
    public int Processors { get; init; } = 4;
    /// <summary>Bytes per buffer (the session's BufferSize: 4 KB to 1 MB and more in real recordings).</summary>
    public int BufferSize { get; init; } = 64 * 1024;
    public int ThreadsPerProcess { get; init; } = 4;
    /// <summary>Creates carry an object name (a named event of its process, one of 8, by the code path that opens
    /// it), as some recordings log them; the kernel usually logs it empty.</summary>
    public bool NamedObjects { get; init; }
    /// <summary>The kernel header the handle events are logged with (system, or compact: no thread times).</summary>
    public HandleHeader HandleHeader { get; init; } = HandleHeader.System;
    /// <summary>8, or 4 for a trace of a 32-bit system: its kernel, modules and objects lie below 4 GB.</summary>
    public int PointerSize { get; init; } = 8;
    public int DistinctStacks { get; init; } = 3000;
    public int LeakingStacks { get; init; } = 4;
    /// <summary>Balanced stacks one process draws from (a window of the pool; windows of neighbours overlap), so
    /// (process, stack) pairs are as bounded as in a real system, where a process runs its own code paths.</summary>
    public int StacksPerProcess { get; init; } = 256;
    /// <summary>One create in this many uses a leaking stack (and is never closed).</summary>
    public int LeakEvery { get; init; } = 200;
    public int Seed { get; init; } = 12345;
}

/// <summary>What a scale run wrote.</summary>
public sealed record ScaleResult(long HandleEvents, long Creates, long Closes, long Duplicates, long Leaks, long Records, long Bytes);

/// <summary>
/// Writes a large realistic trace streaming: many processes, handle creates/closes/duplicates with stacks 20-60
/// frames deep drawn from a few thousand distinct stacks, a few leaking stacks among many balanced ones. Memory is
/// bounded by the stack pool and a small window of open handles per thread, whatever the event count.
/// </summary>
public sealed class ScaleGenerator(ScaleOptions options)
{
    private const int OutstandingPerThread = 32;
    private readonly Random _random = new(options.Seed);
    private readonly CallStack[] _stacks = BuildStacks(options, new Random(options.Seed + 1));

    public ScaleResult Write(Stream stream)
    {
        var writerOptions = new EtlWriterOptions
        {
            Processors = options.Processors, Compress = options.Compress, BufferSize = options.BufferSize, PointerSize = options.PointerSize,
            SessionName = "handleetw scale",
        };
        var procs = Enumerable.Range(0, options.Processes).Select(i => new GenProcess(i, 1000 + i * 4, options.ThreadsPerProcess)).ToArray();
        long creates = 0, closes = 0, dups = 0, leaks = 0, ticks = 10_000;
        RecordCounts counts;
        using (var writer = new EtlWriter(stream, writerOptions, leaveOpen: true))
        {
            var k = new KernelEventWriter(writer);
            var stacks = new StackWriter(k, options.CachedStacks ? StackMode.Cached : StackMode.Fragments, cacheSize: options.StackCacheSize,
                eviction: options.StackCacheEviction);
            WriteRundown(k, procs, start: true, 1_000, options.PointerSize);
            for (long n = 0; n < options.Events; n++)
            {
                ticks += 1 + _random.Next(20);
                GenProcess p = procs[_random.Next(procs.Length)];
                int slot = _random.Next(p.Threads.Length);
                GenThread t = p.Threads[slot];
                // Threads are spread over the processors in turn (with 4 of each, thread i of every process on cpu i).
                int cpu = (p.Index * options.ThreadsPerProcess + slot) % writerOptions.Processors;
                stacks.BeforeEvent(ticks, t.Tid, cpu);
                CallStack stack;
                if (t.Open.Count >= OutstandingPerThread || (t.Open.Count > 0 && _random.Next(2) == 0))
                {
                    (uint handle, ulong obj, int stackIndex) = t.Open.Dequeue();
                    stack = _stacks[stackIndex];
                    if (_random.Next(50) == 0)
                    {
                        uint copy = p.Free.Count > 0 ? p.Free.Pop() : p.NextValue();
                        k.Duplicate(cpu, ticks, p.Pid, t.Tid, obj, handle, copy, p.Pid, 16, p.Pid, options.PointerSize, options.HandleHeader);
                        t.Open.Enqueue((handle, obj, stackIndex));
                        t.Open.Enqueue((copy, obj, stackIndex));
                        dups++;
                    }
                    else
                    {
                        k.Handle(create: false, cpu, ticks, p.Pid, t.Tid, obj, handle, 16, "", options.PointerSize, options.HandleHeader);
                        p.Free.Push(handle);
                        closes++;
                        if (p.Free.Count > OutstandingPerThread * 8) p.Free.Clear(); // keep bounded; values stay unique
                    }
                }
                else
                {
                    bool leak = _random.Next(options.LeakEvery) == 0;
                    int stackIndex = leak ? _random.Next(options.LeakingStacks) : BalancedStack(p);
                    uint handle = p.Free.Count > 0 ? p.Free.Pop() : p.NextValue();
                    ulong obj = options.PointerSize == 4 ? 0x8800_0000UL + (ulong)(n * 0x60 % 0x3000_0000) : 0xFFFF_C000_0000_0000UL + (ulong)(n * 0x60);
                    stack = _stacks[stackIndex];
                    string name = options.NamedObjects ? $@"\BaseNamedObjects\app{p.Pid}-event-{stackIndex % 8}" : "";
                    k.Handle(create: true, cpu, ticks, p.Pid, t.Tid, obj, handle, 16, name, options.PointerSize, options.HandleHeader);
                    creates++;
                    if (leak) leaks++;
                    else t.Open.Enqueue((handle, obj, stackIndex));
                }
                stacks.Attach(cpu, ticks, p.Pid, t.Tid, stack, options.PointerSize);
            }
            ticks += 1_000;
            // The end rundown is logged on CPU 0, and the user parts still due with it, as the main loop logs due parts
            // on the CPU of the event that follows: a key evicted on another CPU at the rundown's instant would be an
            // order no reader can reconstruct (nor a kernel produce).
            stacks.BeforeEvent(ticks, -1, cpu: 0);
            WriteRundown(k, procs, start: false, ticks, options.PointerSize);
            stacks.Finish(ticks);
            counts = writer.Counts;
        }
        return new ScaleResult(creates + closes + dups, creates, closes, dups, leaks, counts.Total, stream.Length);
    }

    private int BalancedStack(GenProcess p)
    {
        int balanced = _stacks.Length - options.LeakingStacks;
        int window = Math.Clamp(options.StacksPerProcess, 1, balanced);
        int start = (int)((long)p.Index * balanced / options.Processes);
        return options.LeakingStacks + (start + _random.Next(window)) % balanced;
    }

    public ScaleResult Write(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        return Write(file);
    }

    private static void WriteRundown(KernelEventWriter k, GenProcess[] procs, bool start, long ticks, int pointerSize)
    {
        LifeEvent kind = start ? LifeEvent.DCStart : LifeEvent.DCEnd;
        ulong user = UserBaseFor(pointerSize);
        foreach ((ushort index, string name) in ObjectTypes.Default) k.TypeRundown(start, 0, ticks, index, name);
        foreach (GenProcess p in procs)
        {
            k.Process(kind, 0, ticks, new ProcessInfo(p.Pid, 700, $"app{p.Pid}.exe", $@"C:\apps\app{p.Pid}.exe") { PointerSize = pointerSize }, -1, -1);
            foreach (GenThread t in p.Threads) k.Thread(kind, 0, ticks, p.Pid, t.Tid, user, -1, -1, pointerSize);
            k.Image(kind, 0, ticks, p.Pid, new ImageInfo(user, 0x100_0000, $@"\Device\HarddiskVolume3\apps\app{p.Pid}.exe"), -1, -1, pointerSize);
        }
    }

    /// <summary>Where each process's image lies (its user frames are inside it).</summary>
    public static ulong UserBaseFor(int pointerSize) => pointerSize == 4 ? 0x0040_0000UL : 0x7FF6_0000_0000UL;

    /// <summary>Where the kernel lies (the kernel frames are inside it).</summary>
    public static ulong KernelBaseFor(int pointerSize) => pointerSize == 4 ? TraceScript.KernelBase32 : TraceScript.KernelBase;

    /// <summary>Kernel part 4-10 frames inside ntoskrnl, user part so the total is 20-60 frames.</summary>
    private static CallStack[] BuildStacks(ScaleOptions options, Random random)
    {
        var stacks = new CallStack[Math.Max(options.DistinctStacks, options.LeakingStacks + 1)];
        for (int i = 0; i < stacks.Length; i++)
        {
            int total = 20 + random.Next(41);
            int kernelDepth = 4 + random.Next(7);
            var kernel = new ulong[kernelDepth];
            var user = new ulong[total - kernelDepth];
            for (int f = 0; f < kernel.Length; f++) kernel[f] = KernelBaseFor(options.PointerSize) + 0x20_0000 + (ulong)random.Next(0x40_0000);
            for (int f = 0; f < user.Length; f++) user[f] = UserBaseFor(options.PointerSize) + 0x1000 + (ulong)random.Next(0xFF_0000);
            stacks[i] = new CallStack(kernel, user);
        }
        return stacks;
    }

    private sealed class GenProcess
    {
        private uint _next = 0x40;

        public GenProcess(int index, int pid, int threads)
        {
            Index = index;
            Pid = pid;
            Threads = Enumerable.Range(0, threads).Select(i => new GenThread(pid * 10 + i * 4)).ToArray();
        }

        public int Index { get; }
        public int Pid { get; }
        public GenThread[] Threads { get; }
        public Stack<uint> Free { get; } = new();

        public uint NextValue() => (_next += 4) - 4;
    }

    private sealed class GenThread(int tid)
    {
        public int Tid { get; } = tid;
        public Queue<(uint Handle, ulong Object, int Stack)> Open { get; } = new();
    }
}
