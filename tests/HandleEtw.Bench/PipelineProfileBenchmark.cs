using System.Diagnostics;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl.Decoding;
using HandleEtw.Etl.File;

namespace HandleEtw.Bench;

/// <summary>
/// Where the CPU goes on one .etl file: the reader alone, reader + decode + stack join into a no-op consumer, and the
/// whole `leaks` pipeline (tracker), each timed as thread CPU over several runs (median), so the difference between
/// stages is the cost of the stage.
/// </summary>
public sealed class PipelineProfileBenchmark : IBenchmark
{
    public string Name => "profile";
    public string Description => "CPU per stage (read / +decode / +tracker) on an .etl file (args: FILE [runs])";

    public int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: profile FILE [runs]");
            return 2;
        }
        string path = args[0];
        int runs = args.Length > 1 && int.TryParse(args[1], out int r) && r > 0 ? r : 5;
        using var source = EtlFileSource.Open(path);
        long records = 0, handles = 0;
        foreach (bool readAhead in new[] { false, true })
        {
            source.ReadAhead = readAhead;
            Report(readAhead ? "read (read-ahead)" : "read", runs, () => { var sink = new CountingSink(); source.Read(sink); records = sink.Count; }, () => records, "records");
            Report(readAhead ? "+decode (read-ahead)" : "read+decode", runs, () =>
            {
                var consumer = new CountingConsumer();
                var decoder = new TraceDecoder(source.Info, new StackTable(), consumer);
                source.Read(decoder);
                decoder.Finish();
                handles = consumer.Handles;
            }, () => records, "records");
            Report(readAhead ? "+tracker (read-ahead)" : "read+decode+tracker", runs, () =>
            {
                var tracker = new HandleTracker(source.Info);
                var decoder = new TraceDecoder(source.Info, new StackTable(), tracker);
                source.Read(decoder);
                decoder.Finish();
            }, () => handles, "handle events");
        }
        return 0;
    }

    private static void Report(string stage, int runs, Action body, Func<long> count, string unit)
    {
        body(); // warm up
        var cpu = new List<double>();
        var wall = new List<double>();
        long allocated = 0;
        for (int i = 0; i < runs; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            double cpuBefore = ThreadCpuClock.Seconds() ?? 0;
            var clock = Stopwatch.StartNew();
            body();
            wall.Add(clock.Elapsed.TotalSeconds);
            double? cpuAfter = ThreadCpuClock.Seconds();
            cpu.Add(cpuAfter is double c ? c - cpuBefore : wall[^1]);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        double medianCpu = Medians.Of(cpu), medianWall = Medians.Of(wall);
        Console.WriteLine($"{stage,-22} cpu {medianCpu * 1e3,8:F1} ms  wall {medianWall * 1e3,8:F1} ms  " +
                          $"{count() / medianCpu / 1e6,7:F2} M {unit}/s (cpu)  alloc {allocated / 1e6:F1} MB");
    }

    private sealed class CountingSink : IRecordSink
    {
        public long Count;
        public void OnRecord(in EventRecord record) => Count++;
    }

    private sealed class CountingConsumer : TraceConsumer
    {
        public long Handles;
        public override void OnHandle(in HandleEvent e) => Handles++;
    }
}
