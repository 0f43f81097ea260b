using System.Buffers.Binary;
using System.Reflection.Metadata;
using HandleEtw.Core.Records;

namespace HandleEtw.Symbols;

/// <summary>
/// Reads only the identity of a PDB file: for native (MSF) PDBs the guid and age in the PDB info stream, for portable
/// PDBs the id in the #Pdb metadata stream. Symbols themselves are read by the symbolizer back ends.
/// </summary>
public static class PdbIdentityReader
{
    private static ReadOnlySpan<byte> MsfMagic => "Microsoft C/C++ MSF 7.00\r\n\u001aDS\0\0\0"u8;
    private const int SuperBlockSize = 56;
    private const int InfoStreamIndex = 1;
    private const int InfoHeaderSize = 28; // version, signature, age, guid

    /// <exception cref="TraceFormatException">The file is neither a native nor a portable PDB, or is damaged.</exception>
    public static PdbIdentity Read(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[SuperBlockSize];
        int got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (got >= 4 && head[..4].SequenceEqual("BSJB"u8)) return ReadPortable(file);
        if (got < SuperBlockSize || !head[..MsfMagic.Length].SequenceEqual(MsfMagic))
            throw new TraceFormatException($"{path}: not a PDB (no MSF 7.00 or portable PDB signature)", 0);
        return ReadNative(file, head);
    }

    private static PdbIdentity ReadPortable(FileStream file)
    {
        file.Position = 0;
        try
        {
            using var provider = MetadataReaderProvider.FromPortablePdbStream(file, MetadataStreamOptions.LeaveOpen);
            var header = provider.GetMetadataReader().DebugMetadataHeader
                ?? throw new TraceFormatException($"{file.Name}: portable PDB without a #Pdb stream", 0);
            var id = header.Id;
            if (id.Length < 16) throw new TraceFormatException($"{file.Name}: portable PDB id is {id.Length} bytes", 0);
            return new PdbIdentity(new Guid(id.AsSpan(0, 16)), 1, PdbFormat.Portable);
        }
        catch (BadImageFormatException e)
        {
            throw new TraceFormatException($"{file.Name}: damaged portable PDB: {e.Message}", 0);
        }
    }

    private static PdbIdentity ReadNative(FileStream file, ReadOnlySpan<byte> super)
    {
        uint blockSize = U32(super, 32);
        uint blockCount = U32(super, 40);
        uint directoryBytes = U32(super, 44);
        uint blockMapBlock = U32(super, 52);
        if (blockSize is not (512 or 1024 or 2048 or 4096 or 8192 or 16384 or 32768))
            throw Damaged(file, 32, $"block size {blockSize}");
        if ((long)blockCount * blockSize > file.Length + blockSize || blockMapBlock >= blockCount)
            throw Damaged(file, 40, "block count or block map outside the file");
        // The directory's first block holds the stream count, the sizes and (for small PDBs) the block lists;
        // stream 1's first block index lies within the first directory block whenever the directory fits one block,
        // otherwise it is read through the directory's block map.
        var directory = new DirectoryReader(file, blockSize, blockCount, directoryBytes, blockMapBlock);
        uint streamCount = directory.U32(0);
        if (streamCount <= InfoStreamIndex || streamCount > directoryBytes / 4)
            throw Damaged(file, 0, $"stream count {streamCount}");
        long blocksBefore = 0;
        for (uint s = 0; s < InfoStreamIndex; s++) blocksBefore += BlocksOf(directory.U32(4 + 4 * s), blockSize);
        uint infoSize = directory.U32(4 + 4 * InfoStreamIndex);
        if (infoSize == uint.MaxValue || infoSize < InfoHeaderSize) throw Damaged(file, 0, "PDB info stream too short");
        uint firstBlock = directory.U32(4 + 4 * streamCount + 4 * blocksBefore);
        if (firstBlock >= blockCount) throw Damaged(file, 0, $"info stream block {firstBlock} outside the file");
        Span<byte> info = stackalloc byte[InfoHeaderSize];
        ReadAt(file, (long)firstBlock * blockSize, info);
        return new PdbIdentity(new Guid(info.Slice(12, 16)), (int)U32(info, 8), PdbFormat.Native);
    }

    private static long BlocksOf(uint size, uint blockSize) =>
        size == uint.MaxValue ? 0 : (size + (long)blockSize - 1) / blockSize;

    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);

    private static void ReadAt(FileStream file, long offset, Span<byte> into)
    {
        if (offset < 0 || offset + into.Length > file.Length) throw Damaged(file, offset, "read past the end of the file");
        file.Position = offset;
        file.ReadExactly(into);
    }

    private static TraceFormatException Damaged(FileStream file, long offset, string what) =>
        new($"{file.Name}: damaged PDB: {what}", offset);

    /// <summary>Reads 32-bit words of the MSF stream directory, which is scattered over the blocks its map lists.</summary>
    private sealed class DirectoryReader(FileStream file, uint blockSize, uint blockCount, uint size, uint mapBlock)
    {
        public uint U32(long offset)
        {
            if (offset < 0 || offset + 4 > size) throw Damaged(file, offset, "stream directory shorter than its contents");
            long mapIndex = offset / blockSize;
            if ((mapIndex + 1) * 4 > blockSize) throw Damaged(file, offset, "stream directory larger than its block map");
            Span<byte> word = stackalloc byte[4];
            ReadAt(file, (long)mapBlock * blockSize + mapIndex * 4, word);
            uint block = BinaryPrimitives.ReadUInt32LittleEndian(word);
            if (block >= blockCount) throw Damaged(file, offset, $"directory block {block} outside the file");
            ReadAt(file, (long)block * blockSize + offset % blockSize, word);
            return BinaryPrimitives.ReadUInt32LittleEndian(word);
        }
    }
}
