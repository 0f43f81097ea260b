using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>Where one buffer is and which processor stream it belongs to.</summary>
internal readonly record struct BufferEntry(long Offset, int FileSize, int DataEnd, bool Compressed, long Sequence, ushort Cpu);

/// <summary>
/// One pass over the buffer headers (never the data): checks each header, groups buffers per processor and sorts each
/// group by sequence number, so the reader can merge the processor streams by time (etl-format.md §2.1, §2.6).
/// </summary>
internal sealed class BufferIndex
{
    /// <summary>Largest buffer the reader accepts when the header gives no usable size.</summary>
    private const int MaxBufferSize = 64 << 20;

    private BufferIndex(BufferEntry[][] perCpu) => PerCpu = perCpu;

    /// <summary>Buffers of each processor, in sequence order.</summary>
    public BufferEntry[][] PerCpu { get; }
    public long Buffers { get; private set; }
    public long CompressedBuffers { get; private set; }
    public long DamagedBuffers { get; private set; }
    public long DamagedBytes { get; private set; }

    /// <param name="nominalSize">Buffer size from the logfile header: the largest a buffer may be.</param>
    /// <param name="fixedSize">True when buffers cannot vary in size (uncompressed), so a broken chain can be resumed.</param>
    public static BufferIndex Build(Stream stream, string path, int nominalSize, int processors, bool fixedSize)
    {
        long length = stream.Length;
        int maxSize = nominalSize >= BufferHeader.Size && nominalSize <= MaxBufferSize ? nominalSize : MaxBufferSize;
        var entries = new List<BufferEntry>();
        var counters = new BufferIndex([]);
        Span<byte> bytes = stackalloc byte[BufferHeader.Size];
        long offset = 0;
        while (offset < length)
        {
            if (length - offset < BufferHeader.Size)
            {
                CutShort(path, offset, "the file ends inside a buffer header", counters, length);
                break;
            }
            stream.Position = offset;
            stream.ReadExactly(bytes);
            BufferHeader header = BufferHeader.Parse(bytes);
            if (header.BufferSize < BufferHeader.Size || header.BufferSize > maxSize)
            {
                // The chain of buffer sizes is broken here. Fixed-size buffers let us resume at the next one.
                long skip = fixedSize && nominalSize == maxSize ? Math.Min(maxSize, length - offset) : length - offset;
                counters.CountDamaged(skip);
                offset += skip;
                continue;
            }
            if (header.BufferSize > length - offset)
            {
                CutShort(path, offset, $"a {header.BufferSize}-byte buffer starts {length - offset} bytes before the end of the file", counters, length);
                break;
            }
            counters.Buffers++;
            if (header.IsCompressed) counters.CompressedBuffers++;
            if (IsConsistent(header, maxSize, processors))
                entries.Add(new BufferEntry(offset, (int)header.BufferSize, (int)header.SavedOffset, header.IsCompressed,
                    header.SequenceNumber, header.Processor));
            else
                counters.CountDamaged(header.BufferSize);
            offset += header.BufferSize;
        }
        return new BufferIndex(GroupByCpu(entries))
        {
            Buffers = counters.Buffers,
            CompressedBuffers = counters.CompressedBuffers,
            DamagedBuffers = counters.DamagedBuffers,
            DamagedBytes = counters.DamagedBytes,
        };
    }

    /// <summary>
    /// A file cut short (a copy or a recording interrupted): the buffers before the cut are intact and are read; the
    /// partial one is counted as damage. A cut inside the first (header) buffer leaves nothing to read.
    /// </summary>
    private static void CutShort(string path, long offset, string what, BufferIndex counters, long length)
    {
        if (offset == 0) throw new TraceFormatException($"{path}: truncated: {what}", offset);
        counters.CountDamaged(length - offset);
    }

    private static bool IsConsistent(in BufferHeader header, int maxSize, int processors)
    {
        if (header.SavedOffset < BufferHeader.Size) return false;
        if (header.SavedOffset > (header.IsCompressed ? maxSize : header.BufferSize)) return false;
        return processors <= 0 || header.Processor < processors;
    }

    private void CountDamaged(long bytes)
    {
        DamagedBuffers++;
        DamagedBytes += bytes;
    }

    private static BufferEntry[][] GroupByCpu(List<BufferEntry> entries)
    {
        var groups = new SortedDictionary<ushort, List<BufferEntry>>();
        foreach (BufferEntry entry in entries)
        {
            if (!groups.TryGetValue(entry.Cpu, out var list)) groups[entry.Cpu] = list = [];
            list.Add(entry);
        }
        return groups.Values
            .Select(list => list.OrderBy(e => e.Sequence).ThenBy(e => e.Offset).ToArray())
            .ToArray();
    }
}
