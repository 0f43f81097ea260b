using System.Diagnostics;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Bench;

/// <summary>`gen PATH --events N [--compress] [--cached-stacks] [--stack-cache KEYS] [--processes K] [--cpus N] [--buffer-kb KB] [--named] [--compact] [--32-bit]`:
/// a large synthetic trace, streaming.</summary>
public sealed class GenerateTraceCommand : IBenchmark
{
    public string Name => "gen";
    public string Description => "write a synthetic .etl of N handle events (streaming)";

    public int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: gen PATH --events N [--compress] [--cached-stacks] [--stack-cache KEYS] [--processes K] [--cpus N] [--buffer-kb KB] [--named] [--compact] [--32-bit]");
            return 2;
        }
        var options = new ScaleOptions();
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--events" when i + 1 < args.Length && long.TryParse(args[i + 1], out long n) && n >= 0:
                    options = options with { Events = n }; i++; break;
                case "--processes" when i + 1 < args.Length && int.TryParse(args[i + 1], out int k) && k > 0:
                    options = options with { Processes = k }; i++; break;
                case "--stack-cache" when i + 1 < args.Length && int.TryParse(args[i + 1], out int keys) && keys > 0:
                    options = options with { CachedStacks = true, StackCacheSize = keys }; i++; break;
                case "--cpus" when i + 1 < args.Length && int.TryParse(args[i + 1], out int cpus) && cpus is > 0 and <= 2048:
                    options = options with { Processors = cpus }; i++; break;
                case "--buffer-kb" when i + 1 < args.Length && int.TryParse(args[i + 1], out int kb) && kb is >= 4 and <= 16 * 1024:
                    options = options with { BufferSize = kb * 1024 }; i++; break;
                case "--compress": options = options with { Compress = true }; break;
                case "--named": options = options with { NamedObjects = true }; break;
                case "--32-bit": options = options with { PointerSize = 4 }; break;
                case "--compact": options = options with { HandleHeader = HandleEtw.Synthetic.Etl.HandleHeader.Compact }; break;
                case "--cached-stacks": options = options with { CachedStacks = true }; break;
                default:
                    Console.Error.WriteLine($"gen: unexpected argument '{args[i]}'");
                    return 2;
            }
        }
        var clock = Stopwatch.StartNew();
        ScaleResult r = new ScaleGenerator(options).Write(args[0]);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{args[0]}: {r.HandleEvents:N0} handle events ({r.Creates:N0} creates, {r.Closes:N0} closes, " +
            $"{r.Duplicates:N0} duplicates, {r.Leaks:N0} leaks), {r.Records:N0} records, {r.Bytes / 1048576.0:F1} MB in {seconds:F1} s " +
            $"({r.HandleEvents / Math.Max(seconds, 1e-9) / 1e6:F2} M events/s), peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB");
        return 0;
    }
}

/// <summary>`gen-sample [PATH]`: regenerates samples/leakyhandles.etl from the LeakyHandles scenario.</summary>
public sealed class GenerateSampleCommand : IBenchmark
{
    public string Name => "gen-sample";
    public string Description => "write samples/leakyhandles.etl (LeakyHandles, 200 iterations over 60 s)";

    public int Run(string[] args)
    {
        string path = args.Length > 0 ? args[0] : Path.Combine("samples", "leakyhandles.etl");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        TraceScript script = HandleScenarios.LeakyHandles(iterations: 200, duration: TimeSpan.FromSeconds(60));
        script.WriteTo(path);
        Console.WriteLine($"{path}: {new FileInfo(path).Length:N0} bytes, {script.Facts.Records!.Total:N0} records, " +
            $"{script.Facts.LeaksFrom("fun4")} handles leaked from fun4");
        return 0;
    }
}
