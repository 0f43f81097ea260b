using System.Buffers.Binary;
using System.Text;

namespace HandleEtw.Etl.Decoding;

/// <summary>
/// Bounds-checked little-endian reads from an event payload. A read past the end sets <see cref="Failed"/> and
/// returns 0 (or an empty string), so a decoder reads every field and checks once at the end.
/// </summary>
public ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _payload;

    public PayloadReader(ReadOnlySpan<byte> payload, int pointerSize)
    {
        _payload = payload;
        PointerSize = pointerSize == 4 ? 4 : 8;
    }

    public int PointerSize { get; }
    public int Position { get; private set; }
    public bool Failed { get; private set; }
    public int Remaining => Failed ? 0 : _payload.Length - Position;

    public ulong ReadPointer() =>
        PointerSize == 8 ? ReadUInt64() : ReadUInt32();

    public ulong ReadUInt64() =>
        Take(8, out var s) ? BinaryPrimitives.ReadUInt64LittleEndian(s) : 0;

    public uint ReadUInt32() =>
        Take(4, out var s) ? BinaryPrimitives.ReadUInt32LittleEndian(s) : 0;

    public int ReadInt32() => (int)ReadUInt32();

    public ushort ReadUInt16() =>
        Take(2, out var s) ? BinaryPrimitives.ReadUInt16LittleEndian(s) : (ushort)0;

    public byte ReadByte() => Take(1, out var s) ? s[0] : (byte)0;

    public Guid ReadGuid() => Take(16, out var s) ? new Guid(s) : Guid.Empty;

    public void Skip(int count) => Take(count, out _);

    /// <summary>Byte at <paramref name="offset"/> from the current position, without moving (0 if outside).</summary>
    public byte PeekByte(int offset)
    {
        int at = Position + offset;
        if (Failed || offset < 0 || at >= _payload.Length) return 0;
        return _payload[at];
    }

    /// <summary>NUL-terminated UTF-16 string; a missing terminator ends the string at the payload's end.</summary>
    public string ReadUtf16String()
    {
        if (Failed) return "";
        ReadOnlySpan<byte> rest = _payload[Position..];
        int chars = 0;
        while ((chars + 1) * 2 <= rest.Length && (rest[chars * 2] | rest[chars * 2 + 1]) != 0) chars++;
        bool terminated = (chars + 1) * 2 <= rest.Length;
        Position += chars * 2 + (terminated ? 2 : 0);
        return chars == 0 ? "" : Encoding.Unicode.GetString(rest[..(chars * 2)]);
    }

    /// <summary>
    /// NUL-terminated 8-bit string: kernel image names and PDB names. Decoded as UTF-8, as TraceEvent does, so a
    /// non-ASCII name reads the same in every tool (invalid bytes become U+FFFD).
    /// </summary>
    public string ReadAnsiString()
    {
        if (Failed) return "";
        ReadOnlySpan<byte> rest = _payload[Position..];
        int length = rest.IndexOf((byte)0);
        bool terminated = length >= 0;
        if (!terminated) length = rest.Length;
        Position += length + (terminated ? 1 : 0);
        return length == 0 ? "" : Encoding.UTF8.GetString(rest[..length]);
    }

    private bool Take(int count, out ReadOnlySpan<byte> bytes)
    {
        if (Failed || count < 0 || count > _payload.Length - Position)
        {
            Failed = true;
            bytes = default;
            return false;
        }
        bytes = _payload.Slice(Position, count);
        Position += count;
        return true;
    }
}
