using System.Buffers.Binary;
using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Tests.Synthetic;

namespace HandleEtw.Tests.Damage;

/// <summary>Framing damage a reader can see is counted and makes the trace lossy; it never ends a buffer or a file
/// quietly, and never rejects a good file for one bad buffer.</summary>
public class FramingDamageTests
{
    private const int HeaderSize = 0x48;

    [Fact]
    public void Fill_marker_before_saved_offset_is_a_damaged_buffer()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Sample);
        int second = 65_536 + HeaderSize;
        int size = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(second + 4));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(second + ((size + 7) & ~7)), 0xFFFFFFFF);
        TraceInfo info = Read(bytes, out _);
        Assert.Equal(1, info.DamagedBuffers);
        Assert.True(info.Lossy);
    }

    [Fact]
    public void File_cut_on_a_buffer_boundary_counts_the_buffers_the_header_says_were_written()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Sample)[..65_536];
        TraceInfo info = Read(bytes, out long records);
        Assert.Equal(1, records);
        Assert.Equal(2, info.DamagedBuffers);
        Assert.True(info.Lossy);
    }

    [Fact]
    public void Duplicated_buffer_is_read_once_and_counted()
    {
        byte[] original = File.ReadAllBytes(TestPaths.Sample);
        Read(original, out long expected);
        byte[] bytes = [.. original, .. original.AsSpan(65_536, 65_536)];
        TraceInfo info = Read(bytes, out long records);
        Assert.Equal(expected, records);
        Assert.Equal(1, info.DamagedBuffers);
    }

    [Fact]
    public void Second_header_buffer_is_skipped_and_counted()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Sample);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * 65_536 + 0x36), 4);
        TraceInfo info = Read(bytes, out _);
        Assert.Equal(1, info.DamagedBuffers);
    }

    [Fact]
    public void Compressed_flag_in_an_uncompressed_file_skips_that_buffer_only()
    {
        byte[] original = File.ReadAllBytes(TestPaths.Sample);
        byte[] bytes = (byte[])original.Clone();
        bytes[65_536 + 0x34] |= 0x40;
        TraceInfo info = Read(bytes, out long records);
        Assert.Equal(1, info.DamagedBuffers);
        Read(original, out long all);
        Assert.InRange(records, 2, all - 1);
    }

    [Fact]
    public void Compressed_buffer_with_too_small_a_saved_offset_is_damaged_not_empty()
    {
        byte[] bytes = ScenarioTests.Build("LeakyHandles", 1).ToBytes();
        int second = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        Assert.NotEqual(0, bytes[second + 0x34] & 0x40);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(second + 4), HeaderSize);
        TraceInfo info = Read(bytes, out _);
        Assert.Equal(1, info.DamagedBuffers);
    }

    [Fact]
    public void Unknown_header_type_makes_the_trace_lossy()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Sample);
        var (record, sizeField, _) = KernelRecord(bytes, 3);
        // A header type no reader knows: such types carry their size in the first 16 bits.
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(record), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(sizeField)));
        bytes[record + 2] = 0x0C;
        TraceInfo info = Read(bytes, out _);
        Assert.Equal(1, info.SkippedRecords);
        Assert.Equal(1, info.DamagedRecords);
        Assert.True(info.Lossy);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    [InlineData(62)]
    public void Timestamp_out_of_order_is_dropped_and_counted(int bit)
    {
        byte[] original = File.ReadAllBytes(TestPaths.Sample);
        Read(original, out long all);
        byte[] bytes = (byte[])original.Clone();
        var (_, _, timestampField) = KernelRecord(bytes, 5);
        Span<byte> ts = bytes.AsSpan(timestampField, 8);
        long value = bit == 0 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(ts) ^ (1L << bit);
        BinaryPrimitives.WriteInt64LittleEndian(ts, value);
        TraceInfo info = Read(bytes, out long records);
        Assert.Equal(all - 1, records);
        Assert.Equal(1, info.DamagedRecords);
        Assert.True(info.Lossy);
        Assert.Equal(new EtlTime(original).End, new EtlTime(bytes).End);
    }

    /// <summary>The n-th record of the sample's second buffer (kernel headers only: SYSTEM and PERFINFO).</summary>
    private static (int Record, int SizeField, int TimestampField) KernelRecord(byte[] bytes, int n)
    {
        int pos = 65_536 + HeaderSize;
        for (int i = 0; i < n; i++) pos += (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(pos + 4)) + 7) & ~7;
        bool perfInfo = bytes[pos + 2] is 0x10 or 0x11;
        return (pos, pos + 4, pos + (perfInfo ? 8 : 16));
    }

    /// <summary>The last timestamp the reader delivers: damage must not move the end of the trace.</summary>
    private sealed class EtlTime : IRecordSink
    {
        public long End;
        public EtlTime(byte[] bytes)
        {
            using var source = EtlFileSource.Open(new MemoryStream(bytes), "t.etl");
            source.Read(this);
        }
        public void OnRecord(in EventRecord record) => End = Math.Max(End, record.Timestamp);
    }

    private static TraceInfo Read(byte[] bytes, out long records)
    {
        using var source = EtlFileSource.Open(new MemoryStream(bytes), "damaged.etl");
        var counter = new Counter();
        source.Read(counter);
        records = counter.Count;
        return source.Info;
    }

    private sealed class Counter : IRecordSink
    {
        public long Count;
        public void OnRecord(in EventRecord record) => Count++;
    }
}
