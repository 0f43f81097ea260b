using System.Buffers.Binary;
using System.Text;

namespace HandleEtw.Synthetic.Etl;

/// <summary>
/// Builds one record payload into a reusable buffer (little endian, no alignment). One builder serves every record,
/// so writing an event allocates nothing.
/// </summary>
public sealed class PayloadBuilder
{
    private byte[] _buffer = new byte[4096];
    private int _length;

    public int Length => _length;
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public PayloadBuilder Clear()
    {
        _length = 0;
        return this;
    }

    public PayloadBuilder U8(byte value)
    {
        Reserve(1)[0] = value;
        return this;
    }

    public PayloadBuilder U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);
        return this;
    }

    public PayloadBuilder U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
        return this;
    }

    public PayloadBuilder I32(int value) => U32(unchecked((uint)value));

    public PayloadBuilder U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
        return this;
    }

    /// <summary>A pointer-sized field: 4 bytes (truncated) or 8 bytes.</summary>
    public PayloadBuilder Ptr(ulong value, int pointerSize) =>
        pointerSize == 8 ? U64(value) : U32(unchecked((uint)value));

    public PayloadBuilder Guid(Guid value)
    {
        value.TryWriteBytes(Reserve(16));
        return this;
    }

    public PayloadBuilder Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        return this;
    }

    /// <summary>NUL-terminated 8-bit string (non-ASCII characters become '?').</summary>
    public PayloadBuilder AnsiZ(string value)
    {
        Span<byte> span = Reserve(value.Length + 1);
        for (int i = 0; i < value.Length; i++) span[i] = value[i] < 0x80 ? (byte)value[i] : (byte)'?';
        span[value.Length] = 0;
        return this;
    }

    /// <summary>NUL-terminated UTF-16LE string.</summary>
    public PayloadBuilder Utf16Z(string value)
    {
        Span<byte> span = Reserve(value.Length * 2 + 2);
        Encoding.Unicode.GetBytes(value, span);
        span[^2] = 0;
        span[^1] = 0;
        return this;
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
