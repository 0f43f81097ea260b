using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>
/// The record stream of one processor: its buffers in sequence order (from a <see cref="IBufferFeed"/>), positioned
/// on its next record (<see cref="Current"/>) so the merge can compare timestamps. Runs on the merge thread only, so
/// it is the one place that counts skipped records and damaged buffers.
/// </summary>
internal sealed class CpuCursor(int stream, TraceInfo info)
{
    private IBufferFeed? feed;
    private LoadedBuffer? buffer;
    private byte[] data = [];
    private int pos;
    private int end;
    private RecordView current;

    /// <summary>Starts over at the first buffer of <paramref name="source"/>.</summary>
    public void Rewind(IBufferFeed source)
    {
        feed = source;
        buffer = null;
        data = [];
        pos = end = 0;
    }

    public ushort Cpu { get; private set; }
    public long Timestamp => current.Timestamp;

    /// <summary>Builds the record for the sink; valid until the next <see cref="MoveNext"/>.</summary>
    public EventRecord Current => current.ToRecord(data, Cpu);

    /// <summary>A lost-event record (never a classic kernel record: those carry a group's task GUID).</summary>
    public bool CurrentIsLostEvent => current.Group == KernelGroup.None && current.ProviderId == KernelTasks.LostEventTaskId;

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
                        info.SkippedRecords++;
                        pos = next;
                        continue;
                    case RecordStatus.Damaged:
                        CountDamage(end - pos);
                        break;
                }
                pos = end;
            }
            if (!LoadNextBuffer()) return false;
        }
    }

    private bool LoadNextBuffer()
    {
        while ((buffer = feed!.Next(stream, buffer)) is { } next)
        {
            if (!next.Loaded)
            {
                CountDamage(next.Entry.FileSize);
                continue;
            }
            data = next.Data;
            Cpu = next.Entry.Cpu;
            pos = BufferHeader.Size;
            end = next.Entry.DataEnd;
            return true;
        }
        data = [];
        pos = end = 0;
        return false;
    }

    private void CountDamage(long bytes)
    {
        info.DamagedBuffers++;
        info.DamagedBytes += bytes;
    }
}
