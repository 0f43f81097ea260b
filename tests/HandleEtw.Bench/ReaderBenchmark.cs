using System.Diagnostics;
using HandleEtw.Core.Records;
using HandleEtw.Etl.File;

namespace HandleEtw.Bench;

/// <summary>
/// The .etl reader: buffer walk + per-CPU merge on the largest corpus file against a plain sequential read of the
/// same bytes, allocation per record, and the compressed path.
/// </summary>
public sealed class ReaderBenchmark : IBenchmark
{
    public string Name => "reader";
    public string Description => "records/s and MB/s of the .etl reader vs a plain read; bytes allocated per record";

    public int Run(string[] args)
    {
        string corpus = args.Length > 0 ? args[0] : FindCorpus();
        string large = Path.Combine(corpus, "etwanalyzer", "TraceLoggingTester.etl");
        string compressed = Path.Combine(corpus, "perfview", "net.4.5.2.x64.etl");
        long bytes = new FileInfo(large).Length;

        var (openSeconds, _) = Repeat(() => { using var s = EtlFileSource.Open(large); return s.Info.Buffers; });
        Console.WriteLine($"open (header + index) {openSeconds * 1e3:F2} ms");
        byte[] image = File.ReadAllBytes(large);
        using (var mem = EtlFileSource.Open(new MemoryStream(image), "memory"))
        {
            var (memSeconds, memRecords) = Repeat(() => { var sink = new CountingSink(); mem.Read(sink); return sink.Count; });
            Console.WriteLine($"in memory           {memSeconds * 1e3:F2} ms ({memRecords / memSeconds / 1e6:F2} M records/s)");
        }
        var (plainSeconds, _) = Repeat(() => PlainFile.Read(large));
        using var largeSource = EtlFileSource.Open(large);
        var (walkSeconds, records) = Repeat(() => ReadRecords(largeSource));
        double allocated = AllocatedPerRecord(large, records);
        using var compressedSource = EtlFileSource.Open(compressed);
        var (compressedSeconds, compressedRecords) = Repeat(() => ReadRecords(compressedSource));

        Console.WriteLine($"file                {Path.GetFileName(large)}: {bytes / 1e6:F1} MB, {records:N0} records");
        Console.WriteLine($"plain read          {plainSeconds * 1e3:F2} ms  ({bytes / 1e6 / plainSeconds:F0} MB/s)");
        Console.WriteLine($"walk + merge        {walkSeconds * 1e3:F2} ms  ({records / walkSeconds / 1e6:F2} M records/s, {bytes / 1e6 / walkSeconds:F0} MB/s)");
        Console.WriteLine($"ratio               {walkSeconds / plainSeconds:F2}x the plain read (target <= 3)");
        Console.WriteLine($"allocation          {allocated:F3} bytes/record (target 0)");
        Console.WriteLine($"compressed          {Path.GetFileName(compressed)}: {compressedRecords:N0} records, {compressedSeconds * 1e3:F2} ms " +
                          $"({compressedRecords / compressedSeconds / 1e6:F2} M records/s, target >= 4)");
        return 0;
    }

    /// <summary>Runs <paramref name="body"/> until at least one second has passed; returns the mean time per run.</summary>
    private static (double Seconds, long Result) Repeat(Func<long> body)
    {
        long result = body(); // warm up
        int runs = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(1) || runs < 3)
        {
            result = body();
            runs++;
        }
        return (watch.Elapsed.TotalSeconds / runs, result);
    }

    /// <summary>One full read of an open source (opening, checking the header and indexing are timed separately).</summary>
    private static long ReadRecords(EtlFileSource source)
    {
        var sink = new CountingSink();
        source.Read(sink);
        return sink.Count;
    }

    /// <summary>Allocation of the read itself (after open), per record, on this thread.</summary>
    private static double AllocatedPerRecord(string path, long records)
    {
        using var source = EtlFileSource.Open(path);
        var sink = new CountingSink();
        source.Read(sink); // first read sizes the reusable buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        source.Read(sink);
        long after = GC.GetAllocatedBytesForCurrentThread();
        return (double)(after - before) / records;
    }

    private static string FindCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "corpus", "etl");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/corpus/etl not found; pass its path as the first argument");
    }
}
