using System.Runtime.ExceptionServices;

namespace HandleEtw.Etl.File;

/// <summary>
/// Reads and decompresses buffers on a second thread while the merge thread parses records. Each processor stream
/// gets its buffers in sequence order through a short queue (at most <c>depth</c> ahead, and a byte budget over all
/// streams), so memory stays bounded and the merge, and with it the record order, is exactly what loading on demand
/// gives. Load failures travel with the buffer they belong to and are rethrown where the merge reaches it.
/// When the merge needs a buffer that is neither loaded nor being loaded while the loading thread is behind on every
/// stream (fewer buffers queued than streams), the merge thread loads it itself rather than wait: where decompression
/// is the larger part of the work, both cores then decompress.
/// </summary>
internal sealed class PrefetchBufferFeed : IBufferFeed
{
    private readonly BufferEntry[][] perCpu;
    private readonly BufferLoader loader;
    /// <summary>The merge thread's own loader (its own scratch array), for the buffers it loads itself.</summary>
    private readonly BufferLoader helper;
    private readonly int depth;
    private readonly int maxQueued;
    private readonly object gate = new();
    private readonly Queue<LoadedBuffer>[] ready;
    private readonly int[] nextToLoad;
    private readonly List<LoadedBuffer> all = [];
    private readonly Stack<LoadedBuffer> free = new();
    private int queued;
    private int loadingCpu = -1;
    private int waitingCpu = -1;
    private bool stop;
    private ExceptionDispatchInfo? fatal;
    private Thread? thread;

    /// <param name="byteBudget">Bytes the queues may hold beyond the one buffer per stream being merged.</param>
    /// <param name="helper">A second loader over the same stream, used on the merge thread only.</param>
    public PrefetchBufferFeed(BufferEntry[][] perCpu, BufferLoader loader, BufferLoader helper, int depth, long byteBudget)
    {
        this.perCpu = perCpu;
        this.loader = loader;
        this.helper = helper;
        this.depth = depth;
        int largest = Math.Max(1, perCpu.SelectMany(b => b).Select(e => e.DataEnd).DefaultIfEmpty(1).Max());
        maxQueued = (int)Math.Clamp(byteBudget / largest, 2, Math.Max(2, (long)perCpu.Length * depth));
        ready = perCpu.Select(_ => new Queue<LoadedBuffer>(depth)).ToArray();
        nextToLoad = new int[perCpu.Length];
    }

    /// <summary>Starts the loading thread from the first buffer of every stream; buffers from earlier reads are reused.</summary>
    public void Start()
    {
        free.Clear();
        foreach (LoadedBuffer buffer in all) free.Push(buffer);
        foreach (var queue in ready) queue.Clear();
        Array.Clear(nextToLoad);
        queued = 0;
        loadingCpu = waitingCpu = -1;
        stop = false;
        fatal = null;
        thread = new Thread(Produce) { IsBackground = true, Name = "etl buffer prefetch" };
        thread.Start();
    }

    /// <summary>Stops the loading thread and waits for it, so no thread outlives the read.</summary>
    public void Stop()
    {
        lock (gate)
        {
            stop = true;
            Monitor.PulseAll(gate);
        }
        thread?.Join();
        thread = null;
    }

    public LoadedBuffer? Next(int cpu, LoadedBuffer? done)
    {
        LoadedBuffer own;
        lock (gate)
        {
            if (done != null) free.Push(done);
            while (true)
            {
                if (ready[cpu].TryDequeue(out LoadedBuffer? buffer))
                {
                    queued--;
                    if (waitingCpu == cpu) waitingCpu = -1;
                    // The loader is woken once a queue is half empty, not after every buffer: it then loads several
                    // in one go, and each wake-up (a context switch on a busy machine) costs more than a load.
                    if (ready[cpu].Count <= depth / 2 || queued <= maxQueued / 2) Monitor.PulseAll(gate);
                    buffer.Failure?.Throw();
                    return buffer;
                }
                fatal?.Throw();
                if (loadingCpu != cpu)
                {
                    if (nextToLoad[cpu] >= perCpu[cpu].Length) return null;
                    // Nothing queued for this stream and nothing on the way. When the loader is behind on every
                    // stream, the buffer is ours to load; else the loader takes it next (it has the time, and this
                    // thread's time is what the whole read waits for).
                    if (queued < perCpu.Length)
                    {
                        own = Claim(cpu);
                        if (waitingCpu == cpu) waitingCpu = -1;
                        Monitor.PulseAll(gate); // the loader may go on with the buffers after it
                        break;
                    }
                }
                waitingCpu = cpu;
                Monitor.PulseAll(gate);
                Monitor.Wait(gate);
            }
        }
        own.Failure = null;
        own.Loaded = helper.TryLoad(own.Entry, ref own.Data); // a failure here is thrown at once, as loading inline does
        return own;
    }

    /// <summary>Takes stream <paramref name="cpu"/>'s next buffer to load (under the gate): its entry and a free
    /// buffer to load it into.</summary>
    private LoadedBuffer Claim(int cpu)
    {
        if (!free.TryPop(out LoadedBuffer? buffer))
        {
            buffer = new LoadedBuffer();
            all.Add(buffer);
        }
        buffer.Entry = perCpu[cpu][nextToLoad[cpu]++];
        return buffer;
    }

    private void Produce()
    {
        try
        {
            while (TakeWork(out int cpu, out LoadedBuffer buffer))
            {
                buffer.Failure = null;
                try
                {
                    buffer.Loaded = loader.TryLoad(buffer.Entry, ref buffer.Data);
                }
                catch (Exception e)
                {
                    buffer.Loaded = false;
                    buffer.Failure = ExceptionDispatchInfo.Capture(e);
                }
                lock (gate)
                {
                    ready[cpu].Enqueue(buffer);
                    queued++;
                    loadingCpu = -1;
                    Monitor.PulseAll(gate);
                }
            }
        }
        catch (Exception e)
        {
            lock (gate)
            {
                fatal = ExceptionDispatchInfo.Capture(e);
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>Waits for a stream that needs a buffer; false when told to stop or every stream is fully loaded.</summary>
    private bool TakeWork(out int cpu, out LoadedBuffer buffer)
    {
        lock (gate)
        {
            while (!stop)
            {
                cpu = PickStream(out bool anyLeft);
                if (!anyLeft) break;
                if (cpu >= 0)
                {
                    loadingCpu = cpu;
                    buffer = Claim(cpu);
                    return true;
                }
                Monitor.Wait(gate);
            }
        }
        cpu = -1;
        buffer = null!;
        return false;
    }

    /// <summary>The stream the merge waits on first; else, within the budget, the stream with the shortest queue.</summary>
    private int PickStream(out bool anyLeft)
    {
        anyLeft = false;
        int best = -1;
        for (int cpu = 0; cpu < perCpu.Length; cpu++)
        {
            if (nextToLoad[cpu] >= perCpu[cpu].Length) continue;
            anyLeft = true;
            int count = ready[cpu].Count;
            if (cpu == waitingCpu && count == 0) return cpu;
            if (count < depth && queued < maxQueued && (best < 0 || count < ready[best].Count)) best = cpu;
        }
        return best;
    }
}
