using HandleEtw.Etl.Compression;
using HandleEtw.Synthetic.Compression;

namespace HandleEtw.Tests.Synthetic;

public class XpressEncoderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(5000)]
    public void RandomBytesRoundTrip(int length) => RoundTrip(RandomBytes(length, seed: length));

    [Fact]
    public void LongMatchesUseEveryLengthForm()
    {
        // runs of 10, 25, 300 and 70,000 equal bytes exercise the half-byte, byte, 16-bit and 32-bit length forms
        var data = new List<byte>();
        foreach (int run in new[] { 4, 10, 12, 25, 300, 70_000, 9 })
        {
            data.AddRange(RandomBytes(7, run));
            data.AddRange(Enumerable.Repeat((byte)run, run));
        }
        byte[] compressed = RoundTrip(data.ToArray());
        Assert.True(compressed.Length < data.Count / 20);
    }

    [Fact]
    public void RecordLikeDataCompresses()
    {
        byte[] data = new byte[65536 - 72];
        for (int i = 0; i + 48 <= data.Length; i += 48) BitConverter.TryWriteBytes(data.AsSpan(i), 0xC0021120_00300002UL + (ulong)(i % 7));
        Assert.True(RoundTrip(data).Length < data.Length / 4);
    }

    private static byte[] RoundTrip(byte[] data)
    {
        var encoder = new XpressEncoder();
        byte[] output = new byte[XpressEncoder.MaxCompressedLength(data.Length)];
        int length = encoder.Compress(data, output);
        Assert.Equal(data, TestXpressDecoder.Decode(output.AsSpan(0, length), data.Length));
        byte[] decoded = new byte[data.Length];
        Assert.True(XpressDecoder.TryDecompress(output.AsSpan(0, length), decoded), "the reader's decoder rejects the output");
        Assert.Equal(data, decoded);
        return output[..length];
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
