using System.Buffers.Binary;

namespace HandleEtw.Tests.Damage;

/// <summary>
/// Damages an .etl image in its framing only: buffer headers, record headers, fill markers, timestamps, truncation,
/// buffer order and duplication. Record-level damage goes to uncompressed buffers (compressed ones are damaged as
/// whole buffers). Seeded: the same random state gives the same mutant.
/// </summary>
internal sealed class FramingMutator
{
    private const int HeaderSize = 0x48;
    private readonly byte[] original;
    private readonly List<(int Offset, int Size)> buffers = [];
    /// <summary>Records of uncompressed data buffers: where each starts, and where its size and timestamp are.</summary>
    private readonly List<(int Offset, int SizeField, int TimestampField, bool SizeFirst)> records = [];

    public FramingMutator(byte[] trace)
    {
        original = trace;
        for (int offset = 0; offset + HeaderSize <= trace.Length;)
        {
            int size = BinaryPrimitives.ReadInt32LittleEndian(trace.AsSpan(offset));
            int saved = BinaryPrimitives.ReadInt32LittleEndian(trace.AsSpan(offset + 4));
            bool compressed = (BinaryPrimitives.ReadUInt16LittleEndian(trace.AsSpan(offset + 0x34)) & 0x40) != 0;
            buffers.Add((offset, size));
            if (!compressed && offset > 0) IndexRecords(offset, saved);
            offset += size;
        }
    }

    private void IndexRecords(int buffer, int saved)
    {
        for (int at = buffer + HeaderSize; at + 24 <= buffer + saved;)
        {
            byte type = original[at + 2];
            bool kernel = type is 1 or 2 or 3 or 4 or 0x10 or 0x11;
            int sizeField = kernel ? at + 4 : at;
            int size = BinaryPrimitives.ReadUInt16LittleEndian(original.AsSpan(sizeField));
            if (size < 16) return;
            records.Add((at, sizeField, type is 0x10 or 0x11 ? at + 8 : at + 16, !kernel));
            at += (size + 7) & ~7;
        }
    }

    public byte[] Mutate(Random random, out string what)
    {
        int kind = random.Next(records.Count > 0 ? 10 : 6);
        return kind switch
        {
            0 => BufferField(random, out what),
            1 => Truncate(random, out what),
            2 => SwapBuffers(random, out what),
            3 => DuplicateBuffer(random, out what),
            4 => BufferHeaderBits(random, out what),
            5 => BufferField(random, out what),
            6 => Marker(random, out what),
            7 => RecordSize(random, out what),
            8 => Timestamp(random, out what),
            _ => HeaderType(random, out what),
        };
    }

    private (int Offset, int Size) DataBuffer(Random random) => buffers[buffers.Count > 1 ? 1 + random.Next(buffers.Count - 1) : 0];

    private byte[] BufferField(Random random, out string what)
    {
        var (offset, _) = random.Next(8) == 0 ? buffers[0] : DataBuffer(random);
        int[] fields = [0x00, 0x04, 0x18, 0x28, 0x2C, 0x34, 0x36];
        int field = fields[random.Next(fields.Length)];
        uint[] values = [0, 1, 7, 0x47, 0x48, 0x49, 0x40, 0x60, 4, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF, (uint)random.Next()];
        uint value = values[random.Next(values.Length)];
        what = $"buffer at {offset} field +0x{field:X} = 0x{value:X}";
        byte[] bytes = (byte[])original.Clone();
        if (field is 0x28 or 0x34 or 0x36) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + field), (ushort)value);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + field), value);
        return bytes;
    }

    private byte[] BufferHeaderBits(Random random, out string what)
    {
        var (offset, _) = DataBuffer(random);
        int bit = random.Next(HeaderSize * 8);
        what = $"buffer at {offset} header bit {bit}";
        byte[] bytes = (byte[])original.Clone();
        bytes[offset + bit / 8] ^= (byte)(1 << (bit % 8));
        return bytes;
    }

    private byte[] Truncate(Random random, out string what)
    {
        int keep = random.Next(2) == 0 ? DataBuffer(random).Offset : random.Next(original.Length);
        what = $"truncate to {keep}";
        return original[..keep];
    }

    private byte[] SwapBuffers(Random random, out string what)
    {
        var a = DataBuffer(random);
        var b = DataBuffer(random);
        if (a.Offset > b.Offset) (a, b) = (b, a);
        what = $"swap buffers at {a.Offset} and {b.Offset}";
        if (a.Offset == b.Offset) return (byte[])original.Clone();
        var output = new MemoryStream(original.Length);
        output.Write(original, 0, a.Offset);
        output.Write(original, b.Offset, b.Size);
        output.Write(original, a.Offset + a.Size, b.Offset - a.Offset - a.Size);
        output.Write(original, a.Offset, a.Size);
        output.Write(original, b.Offset + b.Size, original.Length - b.Offset - b.Size);
        return output.ToArray();
    }

    private byte[] DuplicateBuffer(Random random, out string what)
    {
        var copy = DataBuffer(random);
        var at = random.Next(2) == 0 ? (Offset: original.Length, Size: 0) : DataBuffer(random);
        what = $"copy of buffer at {copy.Offset} inserted at {at.Offset}";
        var output = new MemoryStream(original.Length + copy.Size);
        output.Write(original, 0, at.Offset);
        output.Write(original, copy.Offset, copy.Size);
        output.Write(original, at.Offset, original.Length - at.Offset);
        return output.ToArray();
    }

    private (int Offset, int SizeField, int TimestampField, bool SizeFirst) Record(Random random) => records[random.Next(records.Count)];

    private byte[] Marker(Random random, out string what)
    {
        var record = Record(random);
        uint value = random.Next(2) == 0 ? 0 : 0xFFFFFFFF;
        what = $"marker 0x{value:X} at {record.Offset}";
        byte[] bytes = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(record.Offset), value);
        return bytes;
    }

    private byte[] RecordSize(Random random, out string what)
    {
        var record = Record(random);
        ushort[] values = [0, 1, 8, 15, 16, 23, 24, 31, 32, 47, 48, 79, 80, 0x7FFF, 0xFFFF, (ushort)random.Next(0x10000)];
        ushort value = values[random.Next(values.Length)];
        what = $"record at {record.Offset} size = {value}";
        byte[] bytes = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(record.SizeField), value);
        return bytes;
    }

    private byte[] Timestamp(Random random, out string what)
    {
        var record = Record(random);
        byte[] bytes = (byte[])original.Clone();
        Span<byte> field = bytes.AsSpan(record.TimestampField, 8);
        long old = BinaryPrimitives.ReadInt64LittleEndian(field);
        long value = random.Next(4) switch
        {
            0 => 0,
            1 => long.MaxValue,
            2 => old + (random.Next(2) == 0 ? 1 : -1) * (long)random.Next(1, int.MaxValue) * random.Next(1, 1000),
            _ => old ^ (1L << random.Next(14, 63)),
        };
        what = $"record at {record.Offset} timestamp {old} -> {value}";
        BinaryPrimitives.WriteInt64LittleEndian(field, value);
        return bytes;
    }

    private static byte PointerSizeTwin(byte type) => type switch
    {
        1 => 2, 2 => 1, 3 => 4, 4 => 3, 0x10 => 0x11, 0x11 => 0x10, 0x12 => 0x13, 0x13 => 0x12, 0x0A => 0x14, 0x14 => 0x0A,
        _ => type,
    };

    private byte[] HeaderType(Random random, out string what)
    {
        var record = Record(random);
        byte[] types = [0x00, 0x05, 0x0C, 0x0D, 0x0E, 0x0F, 0x16, 0x20, 0x7F, 0xFF, 0x01, 0x02, 0x12, 0x13, 0x14];
        byte type = types[random.Next(types.Length)];
        // The 32- and 64-bit twin of a header type is framing a 32-bit process's events legitimately have: only the
        // payload could tell them apart, so it is not framing damage.
        byte old = original[record.Offset + 2];
        if (type == PointerSizeTwin(old)) type = 0x0C;
        what = $"record at {record.Offset} header type = 0x{type:X}";
        byte[] bytes = (byte[])original.Clone();
        bytes[record.Offset + 2] = type;
        return bytes;
    }
}
