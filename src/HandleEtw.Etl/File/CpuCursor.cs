using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>
/// The record stream of one processor: its buffers in sequence order, one buffer in memory at a time, positioned
/// on its next record (<see cref="Current"/>) so the merge can compare timestamps.
/// </summary>
internal sealed class CpuCursor(BufferEntry[] buffers, BufferLoader loader)
{
    private byte[] data = [];
    private int nextBuffer;

    /// <summary>Starts over at the first buffer, keeping the data array for reuse.</summary>
    public void Rewind()
    {
        nextBuffer = 0;
        pos = end = 0;
    }
    private int pos;
    private int end;
    private RecordView current;

    public ushort Cpu { get; private set; }
    public long Timestamp => current.Timestamp;

    /// <summary>Builds the record for the sink; valid until the next <see cref="MoveNext"/>.</summary>
    public EventRecord Current => current.ToRecord(data, Cpu);
    public Guid CurrentProviderId => current.ProviderId;
    public byte CurrentOpcode => current.Opcode;

    /// <summary>Advances to the next deliverable record, loading later buffers as needed.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            if (pos < end)
            {
                RecordStatus status = RecordParser.Parse(data, pos, end, ref current, out int next);
                switch (status)
                {
                    case RecordStatus.Event:
                        pos = next;
                        return true;
                    case RecordStatus.Skipped:
                        loader.Info.SkippedRecords++;
                        pos = next;
                        continue;
                    case RecordStatus.Damaged:
                        loader.CountDamage(end - pos);
                        break;
                }
                pos = end;
            }
            if (!LoadNextBuffer()) return false;
        }
    }

    private bool LoadNextBuffer()
    {
        while (nextBuffer < buffers.Length)
        {
            BufferEntry entry = buffers[nextBuffer++];
            if (!loader.TryLoad(entry, ref data)) continue;
            Cpu = entry.Cpu;
            pos = BufferHeader.Size;
            end = entry.DataEnd;
            return true;
        }
        return false;
    }
}
