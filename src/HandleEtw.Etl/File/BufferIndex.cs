using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>Where one buffer is and which processor stream it belongs to.</summary>
internal readonly record struct BufferEntry(long Offset, int FileSize, int DataEnd, bool Compressed, long Sequence, ushort Cpu);

/// <summary>What the logfile header says the buffers must look like.</summary>
/// <param name="NominalSize">Buffer size from the logfile header: the largest a buffer may be.</param>
/// <param name="Processors">Processor count (0 when unknown): a buffer's processor index must be below it.</param>
/// <param name="Compressed">The file is in compressed mode: only then may buffers carry the compressed flag, and
/// their sizes vary (otherwise they are fixed, so a broken chain can be resumed at the next one).</param>
/// <param name="BuffersWritten">Buffers the logger says it wrote (0 when it does not say, or the file is circular):
/// fewer in the file means it was cut short; a sequence number at or above it (plus the lost ones) is damage.</param>
internal readonly record struct BufferRules(int NominalSize, int Processors, bool Compressed, long BuffersWritten, long BuffersLost);

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
    public BufferEntry[][] PerCpu { get; private set; }
    public long Buffers { get; private set; }
    public long CompressedBuffers { get; private set; }
    public long DamagedBuffers { get; private set; }
    public long DamagedBytes { get; private set; }

    public static BufferIndex Build(Stream stream, string path, in BufferRules rules)
    {
        long length = stream.Length;
        int nominal = rules.NominalSize;
        int maxSize = nominal >= BufferHeader.Size && nominal <= MaxBufferSize ? nominal : MaxBufferSize;
        bool fixedSize = !rules.Compressed && nominal == maxSize;
        var entries = new List<BufferEntry>();
        var index = new BufferIndex([]);
        Span<byte> bytes = stackalloc byte[BufferHeader.Size];
        var reader = new OffsetReader(stream);
        long offset = 0, slots = 0;
        bool lostTheRest = false;
        while (offset < length)
        {
            slots++;
            if (length - offset < BufferHeader.Size)
            {
                CutShort(path, offset, "the file ends inside a buffer header", index, length);
                break;
            }
            reader.ReadAt(offset, bytes);
            BufferHeader header = BufferHeader.Parse(bytes);
            if (header.BufferSize < BufferHeader.Size || header.BufferSize > maxSize)
            {
                // The chain of buffer sizes is broken here. Fixed-size buffers let us resume at the next one.
                long skip = fixedSize ? Math.Min(maxSize, length - offset) : length - offset;
                lostTheRest |= !fixedSize;
                index.CountDamaged(skip);
                offset += skip;
                continue;
            }
            if (header.BufferSize > length - offset)
            {
                CutShort(path, offset, $"a {header.BufferSize}-byte buffer starts {length - offset} bytes before the end of the file", index, length);
                break;
            }
            index.Buffers++;
            if (header.IsCompressed && rules.Compressed) index.CompressedBuffers++;
            if (IsConsistent(header, offset, maxSize, rules))
                entries.Add(new BufferEntry(offset, (int)header.BufferSize, (int)header.SavedOffset, header.IsCompressed,
                    header.SequenceNumber, header.Processor));
            else
                index.CountDamaged(header.BufferSize);
            offset += header.BufferSize;
        }
        // Cut exactly on a buffer boundary (or damaged at the end): the header still says how many were written.
        if (!lostTheRest && rules.BuffersWritten > slots)
            index.CountDamaged(rules.BuffersWritten - slots, (rules.BuffersWritten - slots) * maxSize);
        index.PerCpu = index.GroupByCpu(entries);
        return index;
    }

    /// <summary>
    /// A file cut short (a copy or a recording interrupted): the buffers before the cut are intact and are read; the
    /// partial one is counted as damage. A cut inside the first (header) buffer leaves nothing to read.
    /// </summary>
    private static void CutShort(string path, long offset, string what, BufferIndex index, long length)
    {
        if (offset == 0) throw new TraceFormatException($"{path}: truncated: {what}", offset);
        index.CountDamaged(length - offset);
    }

    /// <summary>Header fields that contradict the file: such a buffer is skipped whole rather than misread or merged
    /// into the wrong place (a second header buffer, a compressed flag in an uncompressed file, a processor or
    /// sequence number the logfile header rules out).</summary>
    private static bool IsConsistent(in BufferHeader header, long offset, int maxSize, in BufferRules rules)
    {
        if (header.SavedOffset < BufferHeader.Size) return false;
        if (header.SavedOffset > (header.IsCompressed ? maxSize : header.BufferSize)) return false;
        if (header.IsCompressed && !rules.Compressed) return false;
        if (offset > 0 && header.BufferType == BufferHeader.TypeHeader) return false;
        if (header.SequenceNumber < 0) return false;
        if (rules.BuffersWritten > 0 && header.SequenceNumber >= rules.BuffersWritten + rules.BuffersLost) return false;
        return rules.Processors <= 0 || header.Processor < rules.Processors;
    }

    private void CountDamaged(long bytes) => CountDamaged(1, bytes);

    private void CountDamaged(long buffers, long bytes)
    {
        DamagedBuffers += buffers;
        DamagedBytes += bytes;
    }

    /// <summary>Sorts each processor's buffers by sequence number. A second buffer with the sequence number of one
    /// already taken (a duplicated copy, or a damaged number) is skipped and counted, never read twice.</summary>
    private BufferEntry[][] GroupByCpu(List<BufferEntry> entries)
    {
        // Lists by processor number and a sort only where a list is out of order (a well-formed file writes each
        // processor's buffers in sequence): a sorted map, LINQ or a sort every time would have their generic code
        // over BufferEntry compiled at start-up.
        int processors = 0;
        foreach (BufferEntry entry in entries) processors = Math.Max(processors, entry.Cpu + 1);
        var byCpu = new List<BufferEntry>?[processors];
        foreach (BufferEntry entry in entries) (byCpu[entry.Cpu] ??= []).Add(entry);
        var result = new List<BufferEntry[]>();
        foreach (List<BufferEntry>? list in byCpu)
        {
            if (list is null) continue;
            if (!InOrder(list)) list.Sort(BySequenceOffset);
            var ordered = new List<BufferEntry>(list.Count);
            foreach (BufferEntry entry in list)
            {
                if (ordered.Count > 0 && ordered[^1].Sequence == entry.Sequence) CountDamaged(entry.FileSize);
                else ordered.Add(entry);
            }
            result.Add(ordered.ToArray());
        }
        return result.ToArray();
    }

    private static bool InOrder(List<BufferEntry> list)
    {
        for (int i = 1; i < list.Count; i++)
            if (BySequenceOffset(list[i - 1], list[i]) > 0) return false;
        return true;
    }

    private static int BySequenceOffset(BufferEntry a, BufferEntry b)
    {
        int order = a.Sequence.CompareTo(b.Sequence);
        return order != 0 ? order : a.Offset.CompareTo(b.Offset);
    }
}
