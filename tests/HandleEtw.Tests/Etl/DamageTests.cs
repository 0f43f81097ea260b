using System.Buffers.Binary;
using System.Diagnostics;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Compression;
using HandleEtw.Etl.File;

namespace HandleEtw.Tests.Etl;

/// <summary>Damaged input: every run ends in success, counted damage, or a TraceFormatException; never anything else.</summary>
public class DamageTests
{
    private const int HeaderSize = 0x48;

    [Theory]
    [InlineData("perfview/net.4.5.2.x64.etl")]
    [InlineData("perfview/net.4.5.2.x86.etl")]
    [InlineData("perfview/SelfDescribingSingleEvent.etl")]
    public void Every_compressed_buffer_decompresses_to_exactly_its_size(string file)
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Corpus(file));
        int compressed = 0;
        for (int offset = 0; offset < bytes.Length;)
        {
            int size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            int saved = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4));
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset + 0x34));
            if ((flags & 0x40) != 0)
            {
                var output = new byte[saved - HeaderSize];
                Assert.True(XpressDecoder.TryDecompress(bytes.AsSpan(offset + HeaderSize, size - HeaderSize), output));
                Assert.False(XpressDecoder.TryDecompress(bytes.AsSpan(offset + HeaderSize, (size - HeaderSize) / 2), output));
                compressed++;
            }
            offset += size;
        }
        Assert.True(compressed > 0);
    }

    [Fact]
    public void Corrupt_buffer_header_is_skipped_and_counted()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Corpus("etl-parser/ShutdownPerfDiagLogger.etl"));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(65_536 * 3), 0); // BufferSize of buffer 3
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(65_536 * 5 + 4), 0x30); // SavedOffset of buffer 5
        var info = ReadAll(bytes);
        Assert.Equal(2, info.DamagedBuffers);
        Assert.Equal(49, info.Buffers + 1); // buffer 3 cannot be counted as a buffer
    }

    [Fact]
    public void Record_overrunning_its_buffer_loses_the_rest_of_the_buffer()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Corpus("etl-parser/ShutdownPerfDiagLogger.etl"));
        int firstRecord = 65_536 * 2 + HeaderSize;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(firstRecord + 4), 0xFFF0); // SYSTEM/PERFINFO Size field
        var info = ReadAll(bytes);
        Assert.Equal(1, info.DamagedBuffers);
        Assert.True(info.DamagedBytes > 0);
    }

    [Fact]
    public void Bad_compressed_data_is_a_damaged_buffer()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Corpus("perfview/net.4.5.2.x64.etl"));
        int second = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        int size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(second));
        bytes.AsSpan(second + HeaderSize, size - HeaderSize).Fill(0xFF); // all matches reaching before the start
        var info = ReadAll(bytes);
        Assert.Equal(1, info.DamagedBuffers);
    }

    public static TheoryData<string, int> MutationFiles() => new()
    {
        { "etl-parser/lxcore_kernel.etl", 1500 },
        { "perfview/primitive-types.etl", 1500 },
        { "perfview/SelfDescribingSingleEvent.etl", 1500 },
        { "etl-parser/AMSITrace.etl", 600 },
        { "perfview/gcrundownevents.etl", 600 },
        { "perfview/gcevents.etl", 400 },
        { "perfview/diaghub-dotnetcore3.1-win-x64-diagsession/diaghub.user_injected.1.etl", 600 },
        { "etl-parser/ShutdownPerfDiagLogger.etl", 60 },
    };

    [Theory]
    [MemberData(nameof(MutationFiles))]
    public void Deterministic_mutations_end_in_success_damage_or_format_error(string file, int runs)
    {
        byte[] original = File.ReadAllBytes(TestPaths.Corpus(file));
        List<int> bufferOffsets = BufferOffsets(original);
        var random = new Random(20240229 ^ file.Length);
        for (int run = 0; run < runs; run++)
        {
            byte[] bytes = Mutate(original, bufferOffsets, random, out string what);
            var watch = Stopwatch.StartNew();
            try
            {
                ReadAll(bytes);
            }
            catch (TraceFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"{file} run {run} ({what}): {e.GetType().Name}: {e.Message}");
            }
            // A hang guard, not a speed target: one read of a few MB never takes this long unless it loops.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{file} run {run} ({what}) took {watch.Elapsed}");
        }
    }

    private static byte[] Mutate(byte[] original, List<int> buffers, Random random, out string what)
    {
        int kind = random.Next(4);
        if (kind == 0)
        {
            int keep = random.Next(original.Length);
            what = $"truncate to {keep}";
            return original[..keep];
        }
        byte[] bytes = (byte[])original.Clone();
        if (kind == 1)
        {
            int flips = 1 + random.Next(8);
            what = $"{flips} bit flips";
            for (int i = 0; i < flips; i++)
            {
                int at = random.Next(bytes.Length);
                bytes[at] ^= (byte)(1 << random.Next(8));
            }
            return bytes;
        }
        int buffer = buffers[random.Next(buffers.Count)];
        int[] fields = [0x00, 0x04, 0x18, 0x28, 0x2C, 0x34, 0x36, HeaderSize + 4, HeaderSize];
        int field = fields[random.Next(fields.Length)];
        uint[] values = [0, 1, 7, 0x47, 0x48, 0x49, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF, (uint)random.Next()];
        uint value = values[random.Next(values.Length)];
        what = $"buffer at {buffer} field +0x{field:X} = 0x{value:X}";
        if (buffer + field + 4 <= bytes.Length) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(buffer + field), value);
        return bytes;
    }

    private static List<int> BufferOffsets(byte[] bytes)
    {
        var offsets = new List<int>();
        for (int offset = 0; offset + HeaderSize <= bytes.Length;)
        {
            offsets.Add(offset);
            offset += BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
        }
        return offsets;
    }

    private static TraceInfo ReadAll(byte[] bytes)
    {
        using var source = EtlFileSource.Open(new MemoryStream(bytes), "mutated.etl");
        source.Read(new CountingSink());
        return source.Info;
    }

    private sealed class CountingSink : IRecordSink
    {
        public long Count;
        public long PayloadBytes;

        public void OnRecord(in EventRecord record)
        {
            Count++;
            PayloadBytes += record.Payload.Length + record.ExtendedData.Length;
        }
    }
}
