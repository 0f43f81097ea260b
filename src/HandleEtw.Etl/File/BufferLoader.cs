using HandleEtw.Core.Records;
using HandleEtw.Etl.Compression;

namespace HandleEtw.Etl.File;

/// <summary>Reads one buffer's used bytes into a caller-owned array, decompressing when needed. Reuses one scratch
/// array for compressed input, so reading allocates only when a larger buffer than any before shows up.</summary>
internal sealed class BufferLoader(Stream stream, TraceInfo info)
{
    private byte[] compressed = [];

    public TraceInfo Info { get; } = info;

    /// <summary>Fills data[0..DataEnd) (header bytes included, so record alignment stays buffer-relative).</summary>
    /// <returns>False (and counted as damage) when a compressed buffer does not decompress to its stated size.</returns>
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
        if (XpressDecoder.TryDecompress(input, output)) return true;
        CountDamage(entry.FileSize);
        return false;
    }

    public void CountDamage(long bytes)
    {
        Info.DamagedBuffers++;
        Info.DamagedBytes += bytes;
    }
}
