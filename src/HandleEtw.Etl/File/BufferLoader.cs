using System.Buffers.Binary;
using HandleEtw.Etl.Compression;

namespace HandleEtw.Etl.File;

/// <summary>Reads one buffer's used bytes into a caller-owned array, decompressing when needed. Reuses one scratch
/// array for compressed input, so reading allocates only when a larger buffer than any before shows up. Counts
/// nothing itself: it may run on a prefetch thread, and the reader's counters belong to the merge thread. Loaders
/// sharing one stream may run on different threads at once (<see cref="OffsetReader"/>).</summary>
internal sealed class BufferLoader(Stream stream)
{
    /// <summary>Compressed input a buffer may have left once its stated size is produced: the last flag word and
    /// alignment padding. More means SavedOffset is too small and events would be cut off unseen.</summary>
    public const int MaxUnusedInput = 16;

    private readonly OffsetReader reader = new(stream);
    private byte[] compressed = [];

    /// <summary>Fills data[0..DataEnd) (header bytes included, so record alignment stays buffer-relative).</summary>
    /// <returns>False when a compressed buffer does not decompress to exactly its stated size, or an uncompressed data
    /// buffer has a record where its fill should start (SavedOffset too small): the caller counts the damage.</returns>
    public bool TryLoad(in BufferEntry entry, ref byte[] data)
    {
        int length = entry.Compressed ? entry.DataEnd : Math.Min(entry.FileSize, entry.DataEnd + FillProbe);
        if (data.Length < length) data = new byte[Math.Max(length, data.Length * 2)];
        if (!entry.Compressed)
        {
            reader.ReadAt(entry.Offset, data.AsSpan(0, length));
            return entry.Offset == 0 || FillFollows(data.AsSpan(0, length), entry.DataEnd);
        }
        if (compressed.Length < entry.FileSize) compressed = new byte[entry.FileSize];
        reader.ReadAt(entry.Offset, compressed.AsSpan(0, entry.FileSize));
        ReadOnlySpan<byte> input = compressed.AsSpan(BufferHeader.Size, entry.FileSize - BufferHeader.Size);
        Span<byte> output = data.AsSpan(BufferHeader.Size, entry.DataEnd - BufferHeader.Size);
        return XpressDecoder.TryDecompress(input, output, out int unused) && unused <= MaxUnusedInput;
    }

    /// <summary>Bytes read past SavedOffset to see that fill follows it (the 8-byte alignment and one marker).</summary>
    private const int FillProbe = 12;

    /// <summary>Writers fill a data buffer after SavedOffset with 0xFF (or zeros); a record marker there means
    /// SavedOffset was damaged and events would be cut off unseen. (Header buffers of relogged files do have more
    /// records past their SavedOffset: they are not checked.)</summary>
    private static bool FillFollows(ReadOnlySpan<byte> data, int dataEnd)
    {
        int fill = (dataEnd + 7) & ~7;
        if (fill + 4 > data.Length) return true;
        uint marker = BinaryPrimitives.ReadUInt32LittleEndian(data[fill..]);
        return marker is 0 or 0xFFFFFFFF;
    }
}
