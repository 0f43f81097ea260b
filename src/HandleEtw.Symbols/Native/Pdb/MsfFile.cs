using System.Buffers.Binary;
using HandleEtw.Core.Records;

namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>
/// The MSF 7.00 container of a native PDB: a superblock, a stream directory and numbered streams, each a list of
/// fixed-size blocks. Every block index and size is checked against the file before anything is read or allocated,
/// so no stream is larger than the file that holds it.
/// </summary>
public sealed class MsfFile : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "Microsoft C/C++ MSF 7.00\r\n\u001aDS\0\0\0"u8;
    private const int SuperBlockSize = 56;
    private const uint NilStreamSize = uint.MaxValue;

    private readonly FileStream _file;
    private readonly uint _blockSize;
    private readonly uint _blockCount;
    private readonly uint[] _sizes;
    private readonly uint[][] _blocks;

    public string Name => _file.Name;
    public int StreamCount => _sizes.Length;

    /// <exception cref="TraceFormatException">Not an MSF 7.00 file, or its superblock or directory is damaged.</exception>
    public static MsfFile Open(string path)
    {
        var file = File.OpenRead(path);
        try
        {
            return new MsfFile(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public static bool HasMagic(ReadOnlySpan<byte> head) => head.Length >= Magic.Length && head[..Magic.Length].SequenceEqual(Magic);

    private MsfFile(FileStream file)
    {
        _file = file;
        var super = new byte[SuperBlockSize];
        if (file.Length < SuperBlockSize) throw Damaged(0, "not a PDB (shorter than an MSF superblock)");
        ReadAt(0, super);
        if (!HasMagic(super)) throw Damaged(0, "not a PDB (no MSF 7.00 signature)");
        _blockSize = U32(super, 32);
        _blockCount = U32(super, 40);
        uint directoryBytes = U32(super, 44);
        uint mapBlock = U32(super, 52);
        if (_blockSize is not (512 or 1024 or 2048 or 4096 or 8192 or 16384 or 32768))
            throw Damaged(32, $"block size {_blockSize}");
        if ((long)_blockCount * _blockSize > file.Length + _blockSize || mapBlock >= _blockCount)
            throw Damaged(40, "block count or block map outside the file");
        if (directoryBytes < 4 || directoryBytes > file.Length) throw Damaged(44, $"stream directory of {directoryBytes} bytes");
        byte[] directory = ReadDirectory(directoryBytes, mapBlock);
        (_sizes, _blocks) = ParseDirectory(directory, (long)mapBlock * _blockSize);
    }

    private byte[] ReadDirectory(uint bytes, uint mapBlock)
    {
        long blocks = BlocksOf(bytes);
        if (blocks * 4 > _blockSize) throw Damaged((long)mapBlock * _blockSize, "stream directory larger than its block map");
        var map = new byte[blocks * 4];
        ReadAt((long)mapBlock * _blockSize, map);
        var list = new uint[blocks];
        for (int i = 0; i < blocks; i++) list[i] = U32(map, 4 * i);
        return ReadBlocks(list, bytes, (long)mapBlock * _blockSize);
    }

    private (uint[] Sizes, uint[][] Blocks) ParseDirectory(byte[] directory, long mapOffset)
    {
        uint count = U32(directory, 0);
        if (count > (directory.Length - 4) / 4) throw Damaged(mapOffset, $"stream count {count}");
        var sizes = new uint[count];
        var blocks = new uint[count][];
        long at = 4 + 4L * count;
        for (int s = 0; s < count; s++)
        {
            sizes[s] = U32(directory, 4 + 4 * s);
            long n = sizes[s] == NilStreamSize ? 0 : BlocksOf(sizes[s]);
            if (at + 4 * n > directory.Length) throw Damaged(mapOffset, $"stream {s} lists more blocks than the directory holds");
            blocks[s] = new uint[n];
            for (int b = 0; b < n; b++) blocks[s][b] = U32(directory, (int)(at + 4 * b));
            at += 4 * n;
        }
        return (sizes, blocks);
    }

    /// <summary>Stream <paramref name="index"/> read whole; empty when the stream is absent or nil.</summary>
    public MsfStream Read(int index)
    {
        if (index < 0 || index >= _sizes.Length || _sizes[index] == NilStreamSize)
            return new MsfStream(this, index, [], []);
        return new MsfStream(this, index, ReadBlocks(_blocks[index], _sizes[index], 0), _blocks[index]);
    }

    private byte[] ReadBlocks(uint[] blocks, uint size, long reportAt)
    {
        if (BlocksOf(size) > blocks.Length) throw Damaged(reportAt, "stream shorter than its block list");
        foreach (uint block in blocks)
            if (block >= _blockCount) throw Damaged(reportAt, $"block {block} outside the file");
        var data = new byte[size];
        for (int i = 0; i * (long)_blockSize < size; i++)
        {
            int length = (int)Math.Min(_blockSize, size - i * (long)_blockSize);
            ReadAt((long)blocks[i] * _blockSize, data.AsSpan(i * (int)_blockSize, length));
        }
        return data;
    }

    /// <summary>Where byte <paramref name="offset"/> of a stream lies in the file, for error messages.</summary>
    internal long FileOffset(uint[] blocks, long offset)
    {
        long block = offset / _blockSize;
        return block >= 0 && block < blocks.Length ? (long)blocks[block] * _blockSize + offset % _blockSize : _file.Length;
    }

    private void ReadAt(long offset, Span<byte> into)
    {
        if (offset < 0 || offset + into.Length > _file.Length) throw Damaged(offset, "read past the end of the file");
        _file.Position = offset;
        _file.ReadExactly(into);
    }

    private long BlocksOf(uint size) => (size + (long)_blockSize - 1) / _blockSize;

    internal TraceFormatException Damaged(long fileOffset, string what) => new($"{_file.Name}: damaged PDB: {what}", fileOffset);

    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);

    public void Dispose() => _file.Dispose();
}
