using System.Diagnostics;
using System.Globalization;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Parquet;

namespace HandleEtw.Bench;

/// <summary>
/// `parquet [events] [--compression X] [--row-group N] [--foreground]`: pushes synthetic handle events with stacks through the Parquet writer and
/// reports events/s, bytes per event on disk (stacks included), peak memory, and File.Copy of the same bytes.
/// `parquet --etl FILE`: converts an .etl (e.g. one `gen` wrote) as `handleetw convert` does, against a copy of that file.
/// </summary>
public sealed class ParquetBenchmark : IBenchmark
{
    public string Name => "parquet";
    public string Description => "Parquet writer: events/s, bytes/event, peak memory vs File.Copy (default 10,000,000 events).";

    public int Run(string[] args)
    {
        int etl = Array.IndexOf(args, "--etl");
        if (etl >= 0) return etl + 1 < args.Length ? ConvertFile(args[etl + 1]) : Usage();
        int sizes = Array.IndexOf(args, "--sizes");
        if (sizes >= 0) return sizes + 1 < args.Length ? PrintTableSizes(args[sizes + 1]) : Usage();
        long events = args.Length > 0 && long.TryParse(args[0], out long n) ? n : 10_000_000;
        var compression = ParquetCompression.Zstd;
        int at = Array.IndexOf(args, "--compression");
        if (at >= 0 && at + 1 < args.Length) compression = ParquetWriteOptions.ParseCompression(args[at + 1]) ?? compression;

        int rowGroup = new ParquetWriteOptions().RowGroupSize;
        int rg = Array.IndexOf(args, "--row-group");
        if (rg >= 0 && rg + 1 < args.Length && int.TryParse(args[rg + 1], out int requested) && requested > 0) rowGroup = requested;

        string dir = Directory.CreateTempSubdirectory("handleetw-bench-parquet-").FullName;
        try
        {
            var workload = new SyntheticHandleWorkload(seed: 42);
            var info = new TraceInfo { Source = "bench.etl", HostName = "bench", StartUtc = DateTime.UtcNow, StartTimestamp = 0 };
            TimeSpan generationStart = Process.GetCurrentProcess().TotalProcessorTime;
            new SyntheticHandleWorkload(seed: 42).Push(new TraceConsumerSink(), events);
            double generationCpu = (Process.GetCurrentProcess().TotalProcessorTime - generationStart).TotalSeconds;
            GC.Collect();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long baseline = Process.GetCurrentProcess().WorkingSet64;
            var clock = Stopwatch.StartNew();
            using (var writer = new ParquetTraceWriter(dir, info, workload.Stacks, new ParquetWriteOptions { Compression = compression, RowGroupSize = rowGroup, BackgroundWrite = !args.Contains("--foreground") }))
            {
                workload.Push(writer, events);
                writer.Complete();
            }
            clock.Stop();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            long peak = process.PeakWorkingSet64;
            long bytes = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
            double copySeconds = TimeCopy(dir, bytes);

            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"events            {events:N0} ({workload.Stacks.Count:N0} distinct stacks, compression {compression}, row groups of {rowGroup:N0}, {(args.Contains("--foreground") ? "one thread" : "row groups written on a second thread")})"));
            Console.WriteLine(string.Create(c, $"write             {clock.Elapsed.TotalSeconds:F2} s = {events / clock.Elapsed.TotalSeconds / 1e6:F2} M events/s (target >= 3)"));
            double writerCpu = Math.Max(0.001, cpu - generationCpu);
            Console.WriteLine(string.Create(c, $"cpu               {cpu:F2} s incl. {generationCpu:F2} s generating the events; writer alone {writerCpu:F2} s = {events / writerCpu / 1e6:F2} M events per CPU-second"));
            Console.WriteLine("                  (wall time on a shared machine includes waiting for a core: compare CPU-seconds)");
            PrintSizes(dir, events, bytes);
            Console.WriteLine(string.Create(c, $"peak working set  {peak / 1048576.0:F0} MiB (before: {baseline / 1048576.0:F0} MiB)"));
            Console.WriteLine(string.Create(c, $"File.Copy         {copySeconds:F3} s for the same {bytes / 1048576.0:F1} MiB; writer/copy = {clock.Elapsed.TotalSeconds / copySeconds:F1}x"));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Bytes per event of a directory `convert` wrote: each file and each column of `events`, with its codec.</summary>
    private static int PrintTableSizes(string dir)
    {
        string events = Path.Combine(dir, "events.parquet");
        if (!File.Exists(events)) return Usage();
        var reader = global::Parquet.ParquetReader.CreateAsync(events).GetAwaiter().GetResult();
        long rows = reader.Metadata!.RowGroups.Sum(g => g.NumRows);
        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        PrintSizes(dir, rows, Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length));
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: parquet [events] [--compression X] [--row-group N] [--foreground] | parquet --etl FILE | parquet --sizes DIR");
        return 2;
    }

    /// <summary>The whole `convert` path (reader, decoder, tracker, writer) on a real file, against copying that file.</summary>
    private static int ConvertFile(string path)
    {
        if (!File.Exists(path)) return Usage();
        string dir = Directory.CreateTempSubdirectory("handleetw-bench-convert-").FullName;
        try
        {
            var c = CultureInfo.InvariantCulture;
            long etlBytes = new FileInfo(path).Length;
            var copyClock = Stopwatch.StartNew();
            File.Copy(path, Path.Combine(dir, "copy.etl"));
            double copySeconds = copyClock.Elapsed.TotalSeconds;
            File.Delete(Path.Combine(dir, "copy.etl"));

            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            ParquetConversionResult result;
            using (var source = Etl.File.EtlFileSource.Open(path))
                result = TraceToParquet.Run(source, new ParquetConversionOptions { OutputRoot = dir },
                    new Core.Tracking.HandleTracker(source.Info));
            double seconds = clock.Elapsed.TotalSeconds;
            var process = Process.GetCurrentProcess();
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            long events = result.Meta.Events;
            long bytes = Directory.GetFiles(result.Directory).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(string.Create(c, $"source            {path}: {events:N0} handle events, {etlBytes / 1048576.0:F1} MiB"));
            Console.WriteLine(string.Create(c, $"convert           {seconds:F2} s = {events / seconds / 1e6:F2} M events/s (target >= 3); cpu {cpu:F2} s (both cores)"));
            PrintSizes(result.Directory, events, bytes);
            Console.WriteLine(string.Create(c, $"peak working set  {process.PeakWorkingSet64 / 1048576.0:F0} MiB"));
            Console.WriteLine(string.Create(c, $"copy of the .etl  {copySeconds:F3} s for {etlBytes / 1048576.0:F1} MiB; convert/copy = {seconds / copySeconds:F1}x"));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Bytes per event on disk: all tables, each file, and each column of `events`.</summary>
    private static void PrintSizes(string dir, long events, long bytes)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"on disk           {bytes / 1048576.0:F1} MiB = {(double)bytes / events:F2} bytes/event incl. stacks (target <= 12)"));
        foreach (string f in Directory.GetFiles(dir).OrderBy(f => f, StringComparer.Ordinal))
            Console.WriteLine(string.Create(c, $"  {Path.GetFileName(f),-22} {new FileInfo(f).Length / 1048576.0,8:F2} MiB"));
        foreach (var (column, size, raw, codec) in ColumnSizes(Path.Combine(dir, "events.parquet")))
            Console.WriteLine(string.Create(c, $"    events.{column,-16} {(double)size / events:F2} bytes/event ({(double)raw / events:F2} before {codec})"));
    }

    private static IEnumerable<(string Column, long Bytes, long Uncompressed, string Codec)> ColumnSizes(string path)
    {
        var reader = global::Parquet.ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        var sizes = new Dictionary<string, (long Bytes, long Uncompressed, string Codec)>();
        foreach (var rowGroup in reader.Metadata!.RowGroups)
            foreach (var chunk in rowGroup.Columns)
            {
                string name = string.Join('.', chunk.MetaData!.PathInSchema);
                var sum = sizes.GetValueOrDefault(name);
                sizes[name] = (sum.Bytes + chunk.MetaData.TotalCompressedSize, sum.Uncompressed + chunk.MetaData.TotalUncompressedSize,
                    chunk.MetaData.Codec.ToString());
            }
        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return sizes.OrderByDescending(kv => kv.Value.Bytes).Select(kv => (kv.Key, kv.Value.Bytes, kv.Value.Uncompressed, kv.Value.Codec)).ToList();
    }

    private sealed class TraceConsumerSink : TraceConsumer { }

    private static double TimeCopy(string dir, long bytes)
    {
        string source = Path.Combine(dir, "copy-source.bin");
        string target = Path.Combine(dir, "copy-target.bin");
        using (var stream = File.Create(source))
        {
            var block = new byte[1 << 20];
            new Random(1).NextBytes(block);
            for (long left = bytes; left > 0; left -= block.Length) stream.Write(block, 0, (int)Math.Min(block.Length, left));
        }
        var clock = Stopwatch.StartNew();
        File.Copy(source, target, overwrite: true);
        clock.Stop();
        File.Delete(source);
        File.Delete(target);
        return clock.Elapsed.TotalSeconds;
    }
}

/// <summary>
/// A plausible handle workload: 64 processes with 8 threads each; a thread issues a run of operations (mean 8)
/// before another thread gets the CPU; a few thousand create stacks, a few dominating; most handles closed soon
/// after they are opened, a slow leak, 1% duplicates. Objects are random pool addresses (the costliest column).
/// </summary>
internal sealed class SyntheticHandleWorkload
{
    private const int Processes = 64, ThreadsPerProcess = 8, StackCount = 4000;
    private static readonly ushort[] Types = [37, 16, 39, 42, 7, 12, 30, 25];
    private readonly int[] _stacks = new int[StackCount];
    private ulong _rng;

    public SyntheticHandleWorkload(int seed)
    {
        _rng = (ulong)seed * 0x9E3779B97F4A7C15UL | 1;
        Span<ulong> frames = stackalloc ulong[32];
        for (int s = 0; s < StackCount; s++)
        {
            int depth = 8 + (int)(Next() % 24);
            for (int f = 0; f < depth; f++)
                frames[f] = f < 4 ? 0xfffff800_00000000UL + (Next() % 0x800000) : 0x7ff8_0000_0000UL + (Next() % 0x4000000);
            _stacks[s] = Stacks.Intern(frames[..depth]);
        }
    }

    public StackTable Stacks { get; } = new();

    public void Push(TraceConsumer consumer, long events)
    {
        var open = new (uint Handle, ulong Object, ushort Type, int Stack, int Tid)[Processes][];
        var count = new int[Processes];
        var nextHandle = new uint[Processes];
        for (int q = 0; q < Processes; q++) { open[q] = new (uint, ulong, ushort, int, int)[4096]; nextHandle[q] = 4; }
        string[] typeNames = ["File", "Event", "Key", "Section", "Process", "Thread", "Mutant", "Semaphore"];
        for (int t = 0; t < Types.Length; t++) consumer.OnObjectType(0, Types[t], typeNames[t]);
        long timestamp = 0;
        int p = 0, tid = 1004;
        ushort cpu = 0;
        for (long i = 0; i < events; i++)
        {
            timestamp += 1 + (long)(Next() % 20); // 100 ns .. 2 µs apart at 10 MHz
            if (Next() % 8 == 0) // context switch: another thread of another process on another CPU
            {
                p = (int)(Next() % Processes);
                tid = 1000 + p * 4 + 4 + 4 * (int)(Next() % ThreadsPerProcess);
                cpu = (ushort)(Next() % 8);
            }
            int pid = 1000 + p * 4;
            ulong roll = Next() % 1000;
            bool close = count[p] > 0 && (roll < 494 || count[p] == open[p].Length);
            if (close)
            {
                int k = (int)(Next() % (ulong)Math.Min(count[p], 16)); // mostly recent handles
                int slot = count[p] - 1 - k;
                var h = open[p][slot];
                open[p][slot] = open[p][--count[p]];
                consumer.OnHandle(new HandleEvent { Op = HandleOp.Close, Timestamp = timestamp, ProcessId = pid, ThreadId = tid, Cpu = cpu, Handle = h.Handle, Object = h.Object, ObjectType = h.Type, StackId = -1 });
                continue;
            }
            int stack = _stacks[(int)(Skewed() % StackCount)];
            ushort type = Types[(int)(Skewed() % (ulong)Types.Length)];
            ulong obj = 0xffff_a000_0000_0000UL + ((Next() % 0x4000000) << 4);
            uint handle = nextHandle[p] += 4;
            if (nextHandle[p] > 0x4000) nextHandle[p] = 4;
            if (roll >= 990)
            {
                int target = (int)(Next() % Processes);
                consumer.OnHandle(new HandleEvent { Op = HandleOp.Duplicate, Timestamp = timestamp, ProcessId = pid, ThreadId = tid, Cpu = cpu, Handle = handle, Object = obj, ObjectType = type, StackId = stack, SourceProcessId = pid, TargetProcessId = 1000 + target * 4, TargetHandle = (uint)(4 + 4 * (Next() % 4096)) });
                continue;
            }
            consumer.OnHandle(new HandleEvent { Op = HandleOp.Create, Timestamp = timestamp, ProcessId = pid, ThreadId = tid, Cpu = cpu, Handle = handle, Object = obj, ObjectType = type, StackId = stack });
            if (count[p] < open[p].Length) open[p][count[p]++] = (handle, obj, type, stack, tid);
        }
        consumer.OnEnd(timestamp);
    }

    private ulong Next()
    {
        _rng ^= _rng << 13; _rng ^= _rng >> 7; _rng ^= _rng << 17;
        return _rng;
    }

    /// <summary>Small values much more often than large ones (a few stacks and types dominate).</summary>
    private ulong Skewed() { ulong a = Next() % 1024, b = Next() % 1024; return a * b / 1024 * (Next() % 8 + 1); }
}
