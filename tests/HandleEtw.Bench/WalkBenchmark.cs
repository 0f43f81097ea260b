using System.Diagnostics;
using HandleEtw.Core.Records;
using HandleEtw.Etl.File;

namespace HandleEtw.Bench;

/// <summary>
/// The single-thread record walk (buffer loads, header parse, per-processor time merge; read-ahead off) on one .etl
/// file against a plain sequential read of the same file, alternated round by round so drift touches both alike.
/// Figures are medians of this thread's CPU time (the machine is shared) with wall time beside them.
/// </summary>
public sealed class WalkBenchmark : IBenchmark
{
    public string Name => "walk";
    public string Description => "single-thread record walk (read-ahead off) in M records/s vs a plain read of the same file (args: FILE [rounds])";

    public int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: walk FILE [rounds]");
            return 2;
        }
        int rounds = args.Length > 1 && int.TryParse(args[1], out int r) && r > 0 ? r : 5;
        string path = args[0];
        long bytes = new FileInfo(path).Length;
        using var source = EtlFileSource.Open(path);
        source.ReadAhead = false;
        var sink = new CountingSink();
        source.Read(sink); // warm up: JIT, page cache, the per-processor buffers
        PlainFile.Read(path);
        long records = sink.Count;
        var plainCpu = new List<double>();
        var plainWall = new List<double>();
        var walkCpu = new List<double>();
        var walkWall = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            Measure(() => PlainFile.Read(path), plainCpu, plainWall);
            Measure(() => source.Read(new CountingSink()), walkCpu, walkWall);
        }
        double plain = Medians.Of(plainCpu), walk = Medians.Of(walkCpu);
        Console.WriteLine($"{Path.GetFileName(path)}: {bytes / 1e6:F1} MB, {records:N0} records, {rounds} rounds (medians; CPU of this thread, wall in brackets)");
        Console.WriteLine($"plain read    {plain * 1e3,8:F1} ms  [{Medians.Of(plainWall) * 1e3:F1} ms]  {bytes / 1e6 / plain,7:F0} MB/s");
        Console.WriteLine($"walk + merge  {walk * 1e3,8:F1} ms  [{Medians.Of(walkWall) * 1e3:F1} ms]  {records / walk / 1e6,7:F2} M records/s " +
                          $"({records / Medians.Of(walkWall) / 1e6:F2} by wall), {walk * 1e9 / records:F1} ns/record");
        Console.WriteLine($"ratio         {walk / plain:F2}x the plain read; walk beyond the read {(walk - plain) * 1e9 / records:F1} ns/record");
        return 0;
    }

    private static void Measure(Action body, List<double> cpu, List<double> wall)
    {
        double? cpuStart = ThreadCpuClock.Seconds();
        var watch = Stopwatch.StartNew();
        body();
        double elapsed = watch.Elapsed.TotalSeconds;
        double? cpuEnd = ThreadCpuClock.Seconds();
        wall.Add(elapsed);
        cpu.Add(cpuStart is { } s && cpuEnd is { } e ? e - s : elapsed);
    }
}
