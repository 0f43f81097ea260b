using System.Buffers.Binary;
using System.Diagnostics;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Bench;

/// <summary>
/// Full decode + stack join over an in-memory record stream shaped like a handle trace with stack caching: handle
/// create/close events, each followed by its StackKeyKernel/StackKeyUser references (a bounded key cache whose
/// evictions log KeyDelete definitions), plus uncached kernel/user Stack fragments for a quarter of the events.
/// </summary>
public sealed class DecodeBenchmark : IBenchmark
{
    public string Name => "decode";
    public string Description => "decode + stack join records/s and bytes allocated per record (args: [events])";

    public int Run(string[] args)
    {
        int events = args.Length > 0 && int.TryParse(args[0], out int n) && n > 0 ? n : 2_000_000;
        var stream = RecordStream.Build(events);
        Console.WriteLine($"stream: {stream.Count:N0} records ({events:N0} handle events), {stream.PayloadBytes:N0} payload bytes");
        Measure(stream, warmup: true);
        for (int round = 1; round <= 3; round++) Measure(stream, warmup: false);
        return 0;
    }

    private static void Measure(RecordStream stream, bool warmup)
    {
        var consumer = new CountingConsumer();
        var decoder = new TraceDecoder(new TraceInfo(), new StackTable(), consumer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        stream.Push(decoder);
        decoder.Finish();
        clock.Stop();
        // The machine is shared: CPU time is the fairer one-core figure, wall time is shown beside it.
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (warmup) return;
        double seconds = cpuSeconds > 0 ? cpuSeconds : clock.Elapsed.TotalSeconds;
        DecoderCounters c = decoder.Counters;
        Console.WriteLine(
            $"{c.Records / seconds / 1e6,6:F2} M records/s (CPU)  {c.Records / clock.Elapsed.TotalSeconds / 1e6,6:F2} (wall)  " +
            $"{consumer.Handles / seconds / 1e6,6:F2} M handle events/s  " +
            $"{(double)allocated / c.Records,6:F2} B/record  (stacks attached {c.EventsWithStacks:N0}, " +
            $"orphans {c.OrphanStacks}, unresolved keys {c.UnresolvedStackKeys}, stack ids {decoder.Stacks.Count:N0})");
        if (consumer.Handles != stream.HandleEvents || consumer.WithStack != stream.HandleEvents)
            Console.WriteLine($"  MISMATCH: {consumer.Handles} handles emitted, {consumer.WithStack} with stacks");
    }

    private sealed class CountingConsumer : TraceConsumer
    {
        public long Handles;
        public long WithStack;

        public override void OnHandle(in HandleEvent e)
        {
            Handles++;
            if (e.StackId >= 0) WithStack++;
        }
    }

    /// <summary>Records as (header fields, payload slice) over one byte array; pushed as EventRecords.</summary>
    private sealed class RecordStream
    {
        private const int KeyCache = 512;
        private const int DistinctKernel = 64;
        private const int DistinctUser = 256;

        private readonly List<Row> _rows = new();
        private readonly MemoryStream _payloads = new();

        public int Count => _rows.Count;
        public long PayloadBytes => _payloads.Length;
        public long HandleEvents { get; private set; }

        public static RecordStream Build(int events)
        {
            var s = new RecordStream();
            var rng = new Random(12345);
            var cachedKeys = new Dictionary<ulong, ulong>(); // key -> stack seed
            long ts = 1_000_000;
            for (int i = 0; i < events; i++)
            {
                ts += 3;
                int tid = 1000 + rng.Next(32);
                int pid = 100 + (tid % 8);
                bool create = (i & 1) == 0;
                s.AddHandle(create, ts, pid, tid, (uint)(4 + 4 * (i % 4096)));
                int kernelSeed = rng.Next(DistinctKernel), userSeed = rng.Next(DistinctUser);
                if (i % 4 == 3)
                {
                    s.AddStack(ts + 1, ts, pid, tid, Frames(kernel: true, kernelSeed, 18));
                    s.AddStack(ts + 2, ts, pid, tid, Frames(kernel: false, userSeed, 30));
                }
                else
                {
                    s.AddKeyRef(ts + 1, ts, pid, tid, s.Key(cachedKeys, true, kernelSeed, ts), kernel: true);
                    s.AddKeyRef(ts + 2, ts, pid, tid, s.Key(cachedKeys, false, userSeed, ts), kernel: false);
                }
            }
            foreach (var (key, seed) in cachedKeys)
                s.AddKeyDef(ts + 10, key, Frames(kernel: (key & 1) == 1, (int)seed, (key & 1) == 1 ? 18 : 30), rundown: true);
            return s;
        }

        public void Push(IRecordSink sink)
        {
            ReadOnlySpan<byte> all = _payloads.GetBuffer().AsSpan(0, (int)_payloads.Length);
            foreach (ref readonly Row r in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rows))
            {
                var record = new EventRecord
                {
                    Group = r.Group, Opcode = r.Opcode, Version = 2, PointerSize = 8, Header = r.Header,
                    ProcessId = r.Pid, ThreadId = r.Tid, Timestamp = r.Timestamp, Payload = all.Slice(r.Offset, r.Length),
                };
                sink.OnRecord(record);
            }
        }

        // Kernel keys are odd, user keys even; a full cache evicts (KeyDelete) a key before it is reused.
        private ulong Key(Dictionary<ulong, ulong> cache, bool kernel, int seed, long ts)
        {
            ulong key = 0x10_0000UL + (ulong)(seed % KeyCache) * 2 + (kernel ? 1UL : 0UL);
            if (cache.TryGetValue(key, out ulong existing) && existing != (ulong)seed)
            {
                AddKeyDef(ts, key, Frames(kernel, (int)existing, kernel ? 18 : 30), rundown: false);
                cache.Remove(key);
            }
            cache[key] = (ulong)seed;
            return key;
        }

        private static ulong[] Frames(bool kernel, int seed, int count)
        {
            ulong origin = kernel ? 0xFFFF_F800_0100_0000UL : 0x0000_7FF6_0100_0000UL;
            var f = new ulong[count];
            for (int i = 0; i < count; i++) f[i] = origin + (ulong)(seed * 0x10_000 + i * 0x40);
            return f;
        }

        private void AddHandle(bool create, long ts, int pid, int tid, uint handle)
        {
            HandleEvents++;
            var w = new Writer(this);
            w.U64(0xFFFF_A000_0000_0000UL + handle * 16UL).U32(handle).U16(37);
            Add(KernelGroup.Object, (byte)(create ? 32 : 33), HeaderKind.System, pid, tid, ts, w);
        }

        private void AddStack(long ts, long eventTs, int pid, int tid, ulong[] frames)
        {
            var w = new Writer(this);
            w.U64((ulong)eventTs).U32((uint)pid).U32((uint)tid);
            foreach (ulong f in frames) w.U64(f);
            Add(KernelGroup.StackWalk, 32, HeaderKind.PerfInfo, -1, -1, ts, w);
        }

        private void AddKeyRef(long ts, long eventTs, int pid, int tid, ulong key, bool kernel)
        {
            var w = new Writer(this);
            w.U64((ulong)eventTs).U32((uint)pid).U32((uint)tid).U64(key);
            Add(KernelGroup.StackWalk, (byte)(kernel ? 37 : 38), HeaderKind.PerfInfo, -1, -1, ts, w);
        }

        private void AddKeyDef(long ts, ulong key, ulong[] frames, bool rundown)
        {
            var w = new Writer(this);
            w.U64(key);
            foreach (ulong f in frames) w.U64(f);
            Add(KernelGroup.StackWalk, (byte)(rundown ? 36 : 35), HeaderKind.PerfInfo, -1, -1, ts, w);
        }

        private void Add(KernelGroup group, byte opcode, HeaderKind header, int pid, int tid, long ts, Writer w) =>
            _rows.Add(new Row(group, opcode, header, pid, tid, ts, w.Start, (int)_payloads.Length - w.Start));

        private readonly record struct Row(
            KernelGroup Group, byte Opcode, HeaderKind Header, int Pid, int Tid, long Timestamp, int Offset, int Length);

        private readonly struct Writer(RecordStream owner)
        {
            public int Start { get; } = (int)owner._payloads.Length;

            public Writer U64(ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); owner._payloads.Write(b); return this; }
            public Writer U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); owner._payloads.Write(b); return this; }
            public Writer U16(ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); owner._payloads.Write(b); return this; }
        }
    }
}
