using System.Buffers.Binary;
using System.Text;
using HandleEtw.Core.Records;

namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>One MSF stream in memory. Every read is checked against its length; damage names the file byte offset.</summary>
public sealed class MsfStream
{
    private readonly MsfFile _file;
    private readonly byte[] _data;
    private readonly uint[] _blocks;

    internal MsfStream(MsfFile file, int index, byte[] data, uint[] blocks)
    {
        _file = file;
        Index = index;
        _data = data;
        _blocks = blocks;
    }

    public int Index { get; }
    public int Length => _data.Length;

    public ReadOnlySpan<byte> Bytes(long offset, long length)
    {
        Check(offset, length, "field");
        return _data.AsSpan((int)offset, (int)length);
    }

    public ushort U16(long offset) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(offset, 2));
    public uint U32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(offset, 4));
    public int I32(long offset) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(offset, 4));

    /// <summary>A zero-terminated UTF-8 string starting at <paramref name="offset"/> that ends before <paramref name="limit"/>.</summary>
    public string CString(long offset, long limit)
    {
        limit = Math.Min(limit, _data.Length);
        Check(offset, 0, "string");
        if (offset > limit) throw Damaged(offset, "string outside its record");
        int end = Array.IndexOf(_data, (byte)0, (int)offset, (int)(limit - offset));
        if (end < 0) throw Damaged(offset, "string without its terminating zero");
        return Encoding.UTF8.GetString(_data, (int)offset, end - (int)offset);
    }

    /// <summary>Fails unless [offset, offset + length) lies inside the stream.</summary>
    public void Check(long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset + length > _data.Length)
            throw Damaged(offset, $"{what} at stream {Index} offset {offset} (+{length}) past its end ({_data.Length} bytes)");
    }

    public TraceFormatException Damaged(long offset, string what) => _file.Damaged(_file.FileOffset(_blocks, offset), what);
}
