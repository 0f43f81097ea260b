using System.Buffers.Binary;
using HandleEtw.Etl.Compression;
using HandleEtw.Synthetic.Compression;

namespace HandleEtw.Tests.Etl;

/// <summary>
/// Inputs long enough for the decoder's unchecked bulk path, checked against a plain byte-at-a-time decoder written
/// straight from [MS-XCA] §2.4: the same verdict on every input, the same bytes whenever both succeed.
/// </summary>
public class XpressBulkPathTests
{
    [Theory]
    [InlineData(100)]
    [InlineData(4_000)]
    [InlineData(65_464)]
    public void Compressed_records_round_trip_through_both_decoders(int size)
    {
        var random = new Random(size);
        for (int round = 0; round < 20; round++)
        {
            byte[] original = RecordLike(random, size);
            byte[] compressed = Compress(original);
            var fast = new byte[size];
            var reference = new byte[size];
            Assert.True(XpressDecoder.TryDecompress(compressed, fast));
            Assert.True(Reference(compressed, reference));
            Assert.Equal(original, fast);
        }
    }

    [Fact]
    public void Damaged_input_gets_the_reference_verdict()
    {
        var random = new Random(7);
        byte[] original = RecordLike(random, 16_000);
        byte[] compressed = Compress(original);
        var fast = new byte[original.Length];
        var reference = new byte[original.Length];
        for (int i = 0; i < 3_000; i++)
        {
            byte[] damaged = (byte[])compressed.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--) damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            bool expected = Reference(damaged, reference);
            Assert.Equal(expected, XpressDecoder.TryDecompress(damaged, fast));
            if (expected) Assert.Equal(reference, fast);
        }
    }

    [Fact]
    public void Long_and_overlapping_matches_inside_the_bulk_path()
    {
        // 16 literals, then matches at offsets 1 to 17 with lengths in every escape form (half-byte, byte, 16-bit,
        // 32-bit; two half-bytes sharing a byte), then 200 literals so all of it lies well before both ends.
        var writer = new Writer();
        for (int i = 0; i < 16; i++) writer.Literal((byte)('a' + i));
        foreach (var (offset, length) in new[] { (1, 5), (5, 12), (9, 40), (17, 300), (1, 70_000), (17, 33), (3, 10) })
            writer.Match(offset, length);
        for (int i = 0; i < 200; i++) writer.Literal((byte)i);
        byte[] input = [.. writer.Finish(), .. new byte[64]];
        var fast = new byte[writer.OutputLength];
        var reference = new byte[writer.OutputLength];
        Assert.True(Reference(input, reference));
        Assert.True(XpressDecoder.TryDecompress(input, fast));
        Assert.Equal(reference, fast);
        Assert.Equal(70_000, reference.Skip(16 + 5 + 12 + 40 + 300).Take(70_000).Count(b => b == reference[16 + 5 + 12 + 40 + 300 - 1]));
    }

    [Fact]
    public void Items_near_both_ends_get_the_reference_result()
    {
        // Literal runs and matches at offsets 1 to 40 (lengths around every move width, some with escapes) in the
        // last kilobyte of the output, decoded into outputs cut short and from inputs cut short or padded: the bulk path
        // hands over to the checked one at every point of such items, and must agree with the reference each time.
        // The output is the front of a larger array whose guard bytes must stay as they were.
        var random = new Random(26);
        for (int round = 0; round < 300; round++)
        {
            var writer = new Writer();
            int prefix = random.Next(40, 160), body = random.Next(100, 1200); // the bulk path's margins reach ~800 bytes
            for (int i = 0; i < prefix; i++) writer.Literal((byte)random.Next(256));
            bool dense = round % 2 == 1; // the most output per flag word: matches of up to 24 bytes, few literals
            while (writer.OutputLength < prefix + body)
            {
                if (dense)
                {
                    if (random.Next(40) == 0) writer.Literal((byte)random.Next(256));
                    else writer.Match(random.Next(1, 41), random.Next(20) == 0 ? random.Next(3, 25) : 24);
                }
                else if (random.Next(3) == 0)
                    for (int n = random.Next(1, 40); n > 0; n--) writer.Literal((byte)random.Next(256));
                else
                    writer.Match(random.Next(1, 41), random.Next(4) == 0 ? random.Next(3, 300) : random.Next(3, 41));
            }
            byte[] encoded = writer.Finish();
            for (int cut = 0; cut < 24; cut++)
            {
                int inputLength = cut < 8 ? encoded.Length + cut * 9 : encoded.Length - random.Next(1, 60);
                int outputLength = cut % 3 == 0 ? writer.OutputLength : writer.OutputLength - random.Next(1, 80);
                byte[] input = [.. encoded, .. new byte[Math.Max(0, inputLength - encoded.Length)]];
                var span = input.AsSpan(0, Math.Max(0, inputLength));
                var guarded = new byte[outputLength + 64];
                guarded.AsSpan(outputLength).Fill(0xA5);
                var reference = new byte[outputLength];
                bool expected = Reference(span, reference);
                Assert.Equal(expected, XpressDecoder.TryDecompress(span, guarded.AsSpan(0, outputLength)));
                if (expected) Assert.Equal(reference, guarded[..outputLength]);
                Assert.All(guarded[outputLength..], b => Assert.Equal(0xA5, b));
            }
        }
    }

    /// <summary>Writes the format by hand: a flag word before each 32 items, length escapes, shared half-bytes.</summary>
    private sealed class Writer
    {
        private readonly List<byte> _bytes = [];
        private int _flagPos = -1, _flagBits = 32, _half = -1;
        private uint _flags;
        public int OutputLength { get; private set; }

        public void Literal(byte value)
        {
            Flag(false);
            _bytes.Add(value);
            OutputLength++;
        }

        public void Match(int offset, int length)
        {
            Flag(true);
            int l = length - 3;
            _bytes.AddRange(BitConverter.GetBytes((ushort)(((offset - 1) << 3) | Math.Min(l, 7))));
            OutputLength += length;
            if (l < 7) return;
            l -= 7;
            Nibble(Math.Min(l, 15));
            if (l < 15) return;
            l -= 15;
            if (l < 255) { _bytes.Add((byte)l); return; }
            _bytes.Add(255);
            if (l + 22 <= 0xFFFF) { _bytes.AddRange(BitConverter.GetBytes((ushort)(l + 22))); return; }
            _bytes.AddRange(BitConverter.GetBytes((ushort)0));
            _bytes.AddRange(BitConverter.GetBytes(l + 22));
        }

        public byte[] Finish()
        {
            while (_flagBits < 32) Flag(true); // unused bits of the last word
            StoreFlags();
            return [.. _bytes];
        }

        private void Nibble(int value)
        {
            if (_half < 0) { _half = _bytes.Count; _bytes.Add((byte)value); }
            else { _bytes[_half] |= (byte)(value << 4); _half = -1; }
        }

        private void Flag(bool match)
        {
            if (_flagBits == 32)
            {
                StoreFlags();
                _flagPos = _bytes.Count;
                _bytes.AddRange(new byte[4]);
                _flags = 0;
                _flagBits = 0;
            }
            if (match) _flags |= 1u << (31 - _flagBits);
            _flagBits++;
        }

        private void StoreFlags()
        {
            if (_flagPos < 0) return;
            for (int i = 0; i < 4; i++) _bytes[_flagPos + i] = (byte)(_flags >> (8 * i));
        }
    }

    /// <summary>Buffer-like bytes: fixed-layout records whose headers repeat and whose fields vary a little.</summary>
    private static byte[] RecordLike(Random random, int size)
    {
        var data = new byte[size];
        int pos = 0;
        long time = 1_000_000;
        while (pos < size)
        {
            int length = Math.Min(size - pos, 8 * random.Next(5, 13));
            var record = data.AsSpan(pos, length);
            if (length >= 24)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(record, 0xC0110000u | (uint)length);
                BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(random.Next(4) * 4 + 0x100));
                BinaryPrimitives.WriteInt64LittleEndian(record[8..], time += random.Next(1, 500));
                BinaryPrimitives.WriteUInt64LittleEndian(record[16..], 0xFFFF800000000000UL | (ulong)random.Next(64) << 4);
                for (int i = 24; i < length; i++) record[i] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)(i & 0x1F);
            }
            pos += length;
        }
        return data;
    }

    private static byte[] Compress(byte[] original)
    {
        var output = new byte[XpressEncoder.MaxCompressedLength(original.Length)];
        int length = new XpressEncoder().Compress(original, output);
        return output[..length];
    }

    /// <summary>[MS-XCA] §2.4 decoding, one flag bit and one byte at a time.</summary>
    private static bool Reference(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0, op = 0, half = -1, bits = 0;
        uint flags = 0;
        while (op < output.Length)
        {
            if (bits == 0)
            {
                if (input.Length - ip < 4) return false;
                flags = BinaryPrimitives.ReadUInt32LittleEndian(input[ip..]);
                ip += 4;
                bits = 32;
            }
            bits--;
            if (((flags >> bits) & 1) == 0)
            {
                if (ip >= input.Length) return false;
                output[op++] = input[ip++];
                continue;
            }
            if (input.Length - ip < 2) return false;
            int value = BinaryPrimitives.ReadUInt16LittleEndian(input[ip..]);
            ip += 2;
            int length = value & 7, offset = (value >> 3) + 1;
            if (length == 7)
            {
                if (half < 0)
                {
                    if (ip >= input.Length) return false;
                    length = input[ip] & 15;
                    half = ip++;
                }
                else
                {
                    length = input[half] >> 4;
                    half = -1;
                }
                if (length == 15)
                {
                    if (ip >= input.Length) return false;
                    length = input[ip++];
                    if (length == 255)
                    {
                        if (input.Length - ip < 2) return false;
                        length = BinaryPrimitives.ReadUInt16LittleEndian(input[ip..]);
                        ip += 2;
                        if (length == 0)
                        {
                            if (input.Length - ip < 4) return false;
                            uint wide = BinaryPrimitives.ReadUInt32LittleEndian(input[ip..]);
                            ip += 4;
                            if (wide > int.MaxValue - 64) return false;
                            length = (int)wide;
                        }
                        if (length < 22) return false;
                        length -= 22;
                    }
                    length += 15;
                }
                length += 7;
            }
            length += 3;
            if (offset > op || length > output.Length - op) return false;
            for (int i = 0; i < length; i++, op++) output[op] = output[op - offset];
        }
        return true;
    }
}
