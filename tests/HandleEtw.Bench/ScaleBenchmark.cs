using System.Diagnostics;
using System.Globalization;
using HandleEtw.Synthetic.Scale;

namespace HandleEtw.Bench;

/// <summary>
/// End to end at scale: generates traces of the given sizes (cached stacks, XPRESS-compressed) in a temporary folder,
/// then runs each CLI command as its own process, reading wall time and the child's own peak RSS (it prints
/// <c>peak_rss_bytes=N</c> when HANDLEETW_PRINT_PEAK=1), against a plain sequential read of the same file.
/// </summary>
public sealed class ScaleBenchmark : IBenchmark
{
    private static readonly string[] Commands = ["stats", "diff", "leaks", "convert"];

    public string Name => "scale";
    public string Description => "generate 10M/100M-event traces, run stats/diff/leaks/convert as child processes (args: [--sizes 10M,100M] [--repeat 1] [--stack-cache 4096] [--cli PATH]; defaults shown)";

    public int Run(string[] args)
    {
        if (!ScaleArgs.TryParse(args, out ScaleArgs? options, out string? error))
        {
            Console.Error.WriteLine($"scale: {error}");
            return 2;
        }
        if (!File.Exists(options.Cli))
        {
            Console.Error.WriteLine($"scale: {options.Cli} not found; build it first: dotnet build -c Release src/HandleEtw.Cli");
            return 2;
        }
        string folder = Directory.CreateTempSubdirectory("handleetw-scale-").FullName;
        try
        {
            PrintMachine();
            foreach (long size in options.Sizes) RunSize(options, folder, size);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static void RunSize(ScaleArgs options, string folder, long events)
    {
        string trace = Path.Combine(folder, $"scale-{events}.etl");
        var clock = Stopwatch.StartNew();
        ScaleResult generated = new ScaleGenerator(new ScaleOptions { Events = events, Compress = true, CachedStacks = true, StackCacheSize = options.StackCache }).Write(trace);
        double genSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"## {events:N0} handle events: {generated.Records:N0} records, {generated.Bytes / 1e6:F0} MB " +
            $"(generated in {genSeconds:F1} s, {events / genSeconds / 1e6:F2} M events/s)");
        Console.WriteLine();
        double plain = Medians.Of(options.Repeat, () => PlainRead(trace));
        Console.WriteLine($"plain sequential read: {plain:F2} s ({generated.Bytes / 1e6 / plain:F0} MB/s, {events / plain / 1e6:F1} M events/s)");
        Console.WriteLine();
        Console.WriteLine("| command | wall s (median) | CPU s | M events/s | peak RSS MB | output bytes/event | × plain read |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (string command in Commands)
        {
            var runs = Enumerable.Range(0, options.Repeat).Select(_ => RunChild(options.Cli, command, trace, folder)).ToList();
            ChildRun median = runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
            if (median.ExitCode != 0)
            {
                Console.WriteLine($"| {command} | exit {median.ExitCode}: {median.Note} | | | | | |");
                continue;
            }
            Console.WriteLine($"| {command} | {median.Seconds:F2} | {median.CpuSeconds:F2} | {events / median.Seconds / 1e6:F2} | " +
                $"{median.PeakRss / 1048576.0:F0} | {(double)median.OutputBytes / events:F4} | {median.Seconds / plain:F2} |");
        }
        File.Delete(trace);
    }

    /// <summary>One child run; <see cref="CpuSeconds"/> is user + system time of the child (both cores count).</summary>
    private sealed record ChildRun(double Seconds, double CpuSeconds, long PeakRss, long OutputBytes, int ExitCode, string Note);

    private static ChildRun RunChild(string cli, string command, string trace, string folder)
    {
        string output = Path.Combine(folder, $"{command}.out");
        string parquet = Path.Combine(folder, "parquet");
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(trace);
        if (command == "convert")
        {
            start.ArgumentList.Add("--output");
            start.ArgumentList.Add(parquet);
        }
        start.Environment["HANDLEETW_PRINT_PEAK"] = "1";
        var clock = Stopwatch.StartNew();
        using Process child = Process.Start(start)!;
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        long outputBytes;
        using (var file = File.Create(output)) { child.StandardOutput.BaseStream.CopyTo(file); outputBytes = file.Length; }
        child.WaitForExit();
        double seconds = clock.Elapsed.TotalSeconds;
        string errors = stderr.Result;
        long peak = ParseValue(errors, "peak_rss_bytes=", out long bytes) ? bytes : -1;
        double cpu = ParseValue(errors, "cpu_seconds=", out double seconds2) ? seconds2 : double.NaN;
        if (Directory.Exists(parquet))
        {
            outputBytes += new DirectoryInfo(parquet).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            Directory.Delete(parquet, recursive: true);
        }
        File.Delete(output);
        string note = errors.Split('\n').FirstOrDefault(l => l.Length > 0 && !l.Contains('=')) ?? "";
        return new ChildRun(seconds, cpu, peak, outputBytes, child.ExitCode, note.Trim());
    }

    /// <summary>A `name=value` line the CLI prints to stderr under HANDLEETW_PRINT_PEAK=1.</summary>
    private static bool ParseValue<T>(string stderr, string prefix, out T value) where T : ISpanParsable<T>
    {
        foreach (string line in stderr.Split('\n'))
            if (line.StartsWith(prefix, StringComparison.Ordinal) && T.TryParse(line.AsSpan(prefix.Length).Trim(), CultureInfo.InvariantCulture, out T? v))
            {
                value = v;
                return true;
            }
        value = default!;
        return false;
    }

    /// <summary>Seconds for one plain read of the file (<see cref="PlainFile.Read"/>).</summary>
    private static double PlainRead(string path)
    {
        var clock = Stopwatch.StartNew();
        GC.KeepAlive(PlainFile.Read(path));
        return clock.Elapsed.TotalSeconds;
    }

    private static void PrintMachine()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        double load = File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : -1;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores ({cpu}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9:F0} GB, " +
            $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {load:F1} at start");
    }
}

/// <summary>`--sizes 10M,100M --repeat 1 --stack-cache 4096 --cli PATH`.</summary>
internal sealed record ScaleArgs(long[] Sizes, int Repeat, string Cli, int StackCache = 4096)
{
    public static bool TryParse(string[] args, out ScaleArgs options, out string? error)
    {
        options = new ScaleArgs([10_000_000, 100_000_000], 1, DefaultCli());
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--sizes" when value != null && ParseSizes(value) is { } sizes:
                    options = options with { Sizes = sizes }; i++; break;
                case "--repeat" when value != null && int.TryParse(value, out int r) && r > 0:
                    options = options with { Repeat = r }; i++; break;
                case "--stack-cache" when value != null && int.TryParse(value, out int keys) && keys > 0:
                    options = options with { StackCache = keys }; i++; break;
                case "--cli" when value != null:
                    options = options with { Cli = Path.GetFullPath(value) }; i++; break;
                default:
                    error = $"unexpected argument '{args[i]}' (expected --sizes 1M,10M, --repeat N, --stack-cache KEYS, --cli PATH)";
                    return false;
            }
        }
        return true;
    }

    /// <summary>"1M,10M,250k,5000" → counts; null if any part is not a positive count.</summary>
    private static long[]? ParseSizes(string text)
    {
        var sizes = new List<long>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            long scale = char.ToUpperInvariant(part[^1]) switch { 'K' => 1_000, 'M' => 1_000_000, _ => 1 };
            string digits = scale == 1 ? part : part[..^1];
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0) return null;
            sizes.Add(n * scale);
        }
        return sizes.Count > 0 ? [.. sizes] : null;
    }

    private static string DefaultCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "HandleEtw.Cli", "bin", "Release", "net10.0", "handleetw");
            if (File.Exists(candidate)) return candidate;
        }
        return Path.Combine("src", "HandleEtw.Cli", "bin", "Release", "net10.0", "handleetw");
    }
}
