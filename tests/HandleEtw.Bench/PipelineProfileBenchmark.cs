using System.Diagnostics;
using System.Globalization;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.Decoding;
using HandleEtw.Etl.File;
using HandleEtw.Parquet;

namespace HandleEtw.Bench;

/// <summary>
/// Where the time goes on one .etl file, stage by stage, each stage adding one step to the one before: the read walk
/// alone, + payload decoding (stack records dropped), + the stack join, + the handle tracker (on its own thread, as
/// the CLI runs it), + the Parquet tables (`convert`). The stages run in turn, round after round, so the machine's
/// drift touches them all alike; each figure is the median over the rounds of process CPU (every thread) and wall
/// time, and each stage is also given as a ratio to the read walk of the same run.
/// </summary>
public sealed class PipelineProfileBenchmark : IBenchmark
{
    public string Name => "profile";
    public string Description => "CPU and wall per stage (read / +decode / +stack join / +tracker / +parquet) on an .etl file (args: FILE [rounds] [--no-read-ahead] [--no-parquet])";

    private sealed record Stage(string Name, Action<EtlFileSource> Body);

    public int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: profile FILE [rounds] [--no-read-ahead] [--no-parquet]");
            return 2;
        }
        int rounds = args.Length > 1 && int.TryParse(args[1], out int r) && r > 0 ? r : 5;
        string output = Directory.CreateTempSubdirectory("handleetw-profile-").FullName;
        try
        {
            List<Stage> stages = Stages(output);
            if (args.Contains("--no-parquet")) stages.RemoveAt(stages.Count - 1);
            using var source = EtlFileSource.Open(args[0]);
            source.ReadAhead = !args.Contains("--no-read-ahead");
            var cpu = stages.Select(_ => new List<double>()).ToArray();
            var wall = stages.Select(_ => new List<double>()).ToArray();
            foreach (Stage stage in stages) stage.Body(source); // warm up: JIT and page cache
            for (int round = 0; round < rounds; round++)
                for (int s = 0; s < stages.Count; s++)
                    Measure(() => stages[s].Body(source), cpu[s], wall[s]);
            Print(args[0], source.ReadAhead, rounds, stages, cpu, wall);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
        return 0;
    }

    private static List<Stage> Stages(string output) =>
    [
        new("read walk", source => source.Read(new CountingSink())),
        new("+ decode", source => Decode(source, dropStacks: true)),
        new("+ stack join", source => Decode(source, dropStacks: false)),
        new("+ tracker", source => TracePipeline.Run(source, new HandleTracker(source.Info))),
        new("+ parquet (convert)", source => TraceToParquet.Run(source, new ParquetConversionOptions { OutputRoot = output },
            new HandleTracker(source.Info))),
    ];

    private static void Decode(EtlFileSource source, bool dropStacks)
    {
        var decoder = new TraceDecoder(source.Info, new StackTable(), new NoConsumer());
        source.Read(dropStacks ? new WithoutStacks(decoder) : decoder);
        decoder.Finish();
    }

    private static void Measure(Action body, List<double> cpu, List<double> wall)
    {
        GC.Collect();
        TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        body();
        wall.Add(clock.Elapsed.TotalSeconds);
        cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
    }

    private static void Print(string path, bool readAhead, int rounds, List<Stage> stages, List<double>[] cpu, List<double>[] wall)
    {
        var c = CultureInfo.InvariantCulture;
        double load = File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], c) : -1;
        Console.WriteLine(string.Create(c, $"{path}: {new FileInfo(path).Length / 1e6:F0} MB, read-ahead {(readAhead ? "on" : "off")}, " +
            $"median of {rounds} rounds, load average {load:F1} at the end"));
        Console.WriteLine();
        Console.WriteLine("| stage | CPU s | wall s | CPU ÷ read walk | wall ÷ read walk | stage's own CPU s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        double readCpu = Medians.Of(cpu[0]), readWall = Medians.Of(wall[0]), previous = 0;
        for (int s = 0; s < stages.Count; s++)
        {
            double mc = Medians.Of(cpu[s]), mw = Medians.Of(wall[s]);
            Console.WriteLine(string.Create(c, $"| {stages[s].Name} | {mc:F2} | {mw:F2} | {mc / readCpu:F2} | {mw / readWall:F2} | {mc - previous:F2} |"));
            previous = mc;
        }
    }

    /// <summary>Passes every record but the stack walks: decoding without the join's work.</summary>
    private sealed class WithoutStacks(IRecordSink next) : IRecordSink
    {
        public void OnRecord(in EventRecord record)
        {
            if (record.Group != KernelGroup.StackWalk) next.OnRecord(record);
        }
    }

    private sealed class NoConsumer : TraceConsumer;
}
