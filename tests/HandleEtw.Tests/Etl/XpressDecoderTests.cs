using System.Text;
using HandleEtw.Etl.Compression;

namespace HandleEtw.Tests.Etl;

public class XpressDecoderTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static string Decode(byte[] input, int size)
    {
        var output = new byte[size];
        Assert.True(XpressDecoder.TryDecompress(input, output));
        return Encoding.ASCII.GetString(output);
    }

    [Fact]
    public void Spec_example_literals_only()
    {
        // [MS-XCA] §3.1: the alphabet as 26 literals; flags 0x0000003F (26 zero bits, then the end).
        byte[] input = [.. Hex("3f000000"), .. Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyz")];
        Assert.Equal("abcdefghijklmnopqrstuvwxyz", Decode(input, 26));
    }

    [Fact]
    public void Spec_example_300_bytes_of_abc()
    {
        // [MS-XCA] §3.1: "abc" then one match (offset 3) of 297 bytes, length in nibble + byte + 16-bit forms.
        string expected = string.Concat(Enumerable.Repeat("abc", 100));
        Assert.Equal(expected, Decode(Hex("ffffff1f 616263 1700 0f ff 2601"), 300));
    }

    [Fact]
    public void Run_of_300_a_overlapping_match()
    {
        // One literal, then a match at offset 1 of 299 bytes: the copy reads bytes it has just written.
        Assert.Equal(new string('a', 300), Decode(Hex("ffffff7f 61 0700 0f ff 2801"), 300));
    }

    [Fact]
    public void Shared_half_byte_lengths_and_short_matches()
    {
        // "this is a test. and this is a test too": a 3-byte match and a 14-byte match (length in a half byte).
        byte[] input = Hex("00200004 7468697320 1000 6120746573742e20616e6420 9f00 04 20746f6f");
        Assert.Equal("this is a test. and this is a test too", Decode(input, 38));
    }

    [Fact]
    public void Two_half_byte_lengths_share_one_byte()
    {
        // Two long matches: the first takes the low nibble (2 → 12 bytes), the second the high nibble (1 → 11 bytes).
        byte[] input = Hex("ffffff7f 61 0700 12 0700");
        Assert.Equal(new string('a', 24), Decode(input, 24));
    }

    [Fact]
    public void Match_before_start_fails()
    {
        var output = new byte[10];
        Assert.False(XpressDecoder.TryDecompress(Hex("ffffff7f 61 0800"), output)); // offset 2 after one byte
    }

    [Fact]
    public void Output_overrun_fails()
    {
        var output = new byte[100];
        Assert.False(XpressDecoder.TryDecompress(Hex("ffffff7f 61 0700 0f ff 2801"), output)); // 300 bytes into 100
    }

    [Fact]
    public void Input_too_short_fails()
    {
        var output = new byte[30];
        Assert.False(XpressDecoder.TryDecompress(Hex("3f000000 616263"), output));
        Assert.False(XpressDecoder.TryDecompress(Hex("ffffff7f 61 07"), output));
        Assert.False(XpressDecoder.TryDecompress(Hex("ffffff7f 61 0700 0f ff 00"), output));
    }

    [Fact]
    public void Length_escape_below_minimum_fails()
    {
        var output = new byte[300];
        Assert.False(XpressDecoder.TryDecompress(Hex("ffffff7f 61 0700 0f ff 0500"), output));
    }

    [Fact]
    public void Random_input_never_throws()
    {
        var random = new Random(1234);
        var input = new byte[256];
        var output = new byte[1024];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(input);
            XpressDecoder.TryDecompress(input.AsSpan(0, random.Next(input.Length)), output.AsSpan(0, random.Next(output.Length)));
        }
    }
}
