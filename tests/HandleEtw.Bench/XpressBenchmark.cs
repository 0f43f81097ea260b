using System.Diagnostics;
using System.Security.Cryptography;
using HandleEtw.Etl.Compression;
using HandleEtw.Etl.File;

namespace HandleEtw.Bench;

/// <summary>
/// The XPRESS decoder alone, on the compressed buffers of a real .etl file held in memory (up to 512 MB of output),
/// against copying the same number of bytes in memory: what decompression costs the read-ahead thread. With --digest
/// it instead decompresses every compressed buffer of the file and prints a SHA-256 of all the output, so two builds
/// of the decoder can be shown to produce the same bytes.
/// </summary>
public sealed class XpressBenchmark : IBenchmark
{
    private const long MaxOutput = 512L << 20;

    public string Name => "xpress";
    public string Description => "XPRESS decompression MB/s on an .etl's compressed buffers vs a memory copy (args: FILE [runs] | FILE --digest)";

    public int Run(string[] args)
    {
        if (args.Length == 0) { Console.Error.WriteLine("usage: xpress FILE [runs] | xpress FILE --digest"); return 2; }
        if (args.Length > 1 && args[1] == "--digest") return Digest(args[0]);
        int runs = args.Length > 1 ? int.Parse(args[1]) : 5;
        var (buffers, inFile) = LoadCompressed(args[0]);
        if (buffers.Count == 0) { Console.Error.WriteLine($"{args[0]}: no compressed buffers"); return 1; }
        long input = buffers.Sum(b => (long)b.Input.Length), output = buffers.Sum(b => (long)b.OutputSize);
        byte[] target = new byte[buffers.Max(b => b.OutputSize)];
        byte[] source = new byte[target.Length];
        string sample = buffers.Count < inFile ? $" (the first {buffers.Count:N0} of {inFile:N0}: output capped at {MaxOutput >> 20} MB)" : "";
        Console.WriteLine($"{Path.GetFileName(args[0])}: {buffers.Count:N0} compressed buffers{sample}, {input / 1e6:F1} MB -> {output / 1e6:F1} MB");
        var (copy, copyCpu) = Median(runs, () => { foreach (var b in buffers) source.AsSpan(0, b.OutputSize).CopyTo(target); });
        var (decode, decodeCpu) = Median(runs, () =>
        {
            foreach (var b in buffers)
                if (!XpressDecoder.TryDecompress(b.Input, target.AsSpan(0, b.OutputSize))) throw new InvalidDataException("damaged buffer");
        });
        Console.WriteLine($"memory copy   {copy * 1e3,8:F1} ms  {output / 1e6 / copy,8:F0} MB/s  (thread cpu {output / 1e6 / copyCpu:F0} MB/s)");
        Console.WriteLine($"decompress    {decode * 1e3,8:F1} ms  {output / 1e6 / decode,8:F0} MB/s  (thread cpu {output / 1e6 / decodeCpu:F0} MB/s; {decode / copy:F1}x the copy)");
        return 0;
    }

    /// <summary>Decompresses every compressed buffer in file order and hashes the output (a damaged buffer hashes as
    /// its size and a failure mark), printing the buffer count, the output size and the digest.</summary>
    private static int Digest(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        using var source = EtlFileSource.Open(stream, path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var compressed = source.BuffersByProcessor.SelectMany(b => b).Where(e => e.Compressed).OrderBy(e => e.Offset).ToList();
        byte[] raw = [], output = [];
        long total = 0;
        int damaged = 0;
        foreach (BufferEntry e in compressed)
        {
            int inSize = e.FileSize - BufferHeader.Size, outSize = e.DataEnd - BufferHeader.Size;
            if (raw.Length < inSize) raw = new byte[inSize];
            if (output.Length < outSize) output = new byte[outSize];
            stream.Position = e.Offset + BufferHeader.Size;
            stream.ReadExactly(raw.AsSpan(0, inSize));
            bool ok = XpressDecoder.TryDecompress(raw.AsSpan(0, inSize), output.AsSpan(0, outSize), out int unused);
            hash.AppendData(BitConverter.GetBytes(ok ? unused : -1));
            if (ok) hash.AppendData(output, 0, outSize); else damaged++;
            total += outSize;
        }
        Console.WriteLine($"{Path.GetFileName(path)}: {compressed.Count:N0} compressed buffers, {damaged:N0} damaged, {total / 1e6:F1} MB, sha256 {Convert.ToHexString(hash.GetHashAndReset())}");
        return 0;
    }

    /// <summary>The compressed buffers in file order until <see cref="MaxOutput"/>, and how many the file has.</summary>
    private static (List<(byte[] Input, int OutputSize)> Buffers, int InFile) LoadCompressed(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        using var source = EtlFileSource.Open(stream, path); // checks the header and the compression format
        var list = new List<(byte[], int)>();
        long total = 0;
        var compressed = source.BuffersByProcessor.SelectMany(b => b).Where(e => e.Compressed).OrderBy(e => e.Offset).ToList();
        foreach (BufferEntry e in compressed)
        {
            if (total >= MaxOutput) break;
            var raw = new byte[e.FileSize - BufferHeader.Size];
            stream.Position = e.Offset + BufferHeader.Size;
            stream.ReadExactly(raw);
            list.Add((raw, e.DataEnd - BufferHeader.Size));
            total += e.DataEnd - BufferHeader.Size;
        }
        return (list, compressed.Count);
    }

    /// <summary>Median wall and thread-CPU seconds of <paramref name="runs"/> timed runs after one warm-up; the CPU
    /// figure (the wall one where the clock is missing) is what a loaded machine disturbs least.</summary>
    private static (double Wall, double Cpu) Median(int runs, Action body)
    {
        body();
        var walls = new List<double>();
        var cpus = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            double? cpuStart = ThreadCpuClock.Seconds();
            var watch = Stopwatch.StartNew();
            body();
            walls.Add(watch.Elapsed.TotalSeconds);
            cpus.Add(ThreadCpuClock.Seconds() - cpuStart ?? watch.Elapsed.TotalSeconds);
        }
        return (Medians.Of(walls), Medians.Of(cpus));
    }
}
