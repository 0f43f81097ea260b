using HandleEtw.Etl.Compression;

namespace HandleEtw.Etl.File;

/// <summary>Reads one buffer's used bytes into a caller-owned array, decompressing when needed. Reuses one scratch
/// array for compressed input, so reading allocates only when a larger buffer than any before shows up. Counts
/// nothing itself: it may run on a prefetch thread, and the reader's counters belong to the merge thread.</summary>
internal sealed class BufferLoader(Stream stream)
{
    private byte[] compressed = [];

    /// <summary>Fills data[0..DataEnd) (header bytes included, so record alignment stays buffer-relative).</summary>
    /// <returns>False when a compressed buffer does not decompress to its stated size (the caller counts the damage).</returns>
    public bool TryLoad(in BufferEntry entry, ref byte[] data)
    {
        if (data.Length < entry.DataEnd) data = new byte[Math.Max(entry.DataEnd, data.Length * 2)];
        stream.Position = entry.Offset;
        if (!entry.Compressed)
        {
            stream.ReadExactly(data, 0, entry.DataEnd);
            return true;
        }
        if (compressed.Length < entry.FileSize) compressed = new byte[entry.FileSize];
        stream.ReadExactly(compressed, 0, entry.FileSize);
        ReadOnlySpan<byte> input = compressed.AsSpan(BufferHeader.Size, entry.FileSize - BufferHeader.Size);
        Span<byte> output = data.AsSpan(BufferHeader.Size, entry.DataEnd - BufferHeader.Size);
        return XpressDecoder.TryDecompress(input, output);
    }
}
