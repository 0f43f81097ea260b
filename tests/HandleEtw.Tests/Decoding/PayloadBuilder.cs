using System.Buffers.Binary;
using System.Text;

namespace HandleEtw.Tests.Decoding;

/// <summary>Writes little-endian payload fields the way a producer with the given pointer size would.</summary>
public sealed class PayloadBuilder(int pointerSize)
{
    private readonly List<byte> _bytes = new();

    public int PointerSize { get; } = pointerSize;

    public PayloadBuilder Pointer(ulong value) => PointerSize == 8 ? U64(value) : U32((uint)value);

    public PayloadBuilder U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public PayloadBuilder U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public PayloadBuilder I32(int value) => U32((uint)value);

    public PayloadBuilder U16(ushort value)
    {
        _bytes.Add((byte)value);
        _bytes.Add((byte)(value >> 8));
        return this;
    }

    public PayloadBuilder U8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public PayloadBuilder Bytes(byte[] value)
    {
        _bytes.AddRange(value);
        return this;
    }

    public PayloadBuilder Guid(Guid value) => Bytes(value.ToByteArray());

    public PayloadBuilder Utf16(string value) => Bytes(Encoding.Unicode.GetBytes(value + "\0"));

    public PayloadBuilder Ansi(string value) => Bytes(Encoding.ASCII.GetBytes(value + "\0"));

    public int Length => _bytes.Count;

    public byte[] ToArray() => _bytes.ToArray();
}
