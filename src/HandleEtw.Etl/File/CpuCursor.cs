using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>
/// The record stream of one processor: its buffers in sequence order (from a <see cref="IBufferFeed"/>), positioned
/// on its next record (<see cref="Current"/>) so the merge can compare timestamps. Runs on the merge thread only, so
/// it is the one place that counts skipped records and damaged buffers and records.
/// </summary>
internal sealed class CpuCursor(int stream, TraceInfo info, TimestampRules rules)
{
    private IBufferFeed? feed;
    private LoadedBuffer? buffer;
    private byte[] data = [];
    private int pos;
    private int end;
    private RecordView current;
    /// <summary>Timestamp of the last record this stream delivered.</summary>
    private long last;
    /// <summary>The record after <see cref="current"/>, parsed ahead to check its timestamp (used, not parsed again).</summary>
    private RecordView ahead;
    private int aheadPos = -1, aheadNext;
    private RecordStatus aheadStatus;

    /// <summary>Starts over at the first buffer of <paramref name="source"/>.</summary>
    public void Rewind(IBufferFeed source)
    {
        feed = source;
        buffer = null;
        data = [];
        pos = end = 0;
        aheadPos = -1;
        last = rules.Start;
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
                RecordStatus status = Parse(pos, ref current, out int next);
                switch (status)
                {
                    case RecordStatus.Event:
                        pos = next;
                        if (FramedAsLogged() && InOrder(current.Timestamp)) return true;
                        info.DamagedRecords++;
                        continue;
                    case RecordStatus.Skipped:
                        info.SkippedRecords++;
                        pos = next;
                        continue;
                    case RecordStatus.Unknown:
                        info.SkippedRecords++;
                        info.DamagedRecords++;
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

    /// <summary>The kernel logs stack walks (stacks and stack keys) with PERFINFO headers only: a StackWalk hook under
    /// another header is a damaged header type, whose payload would be read from the wrong offset.</summary>
    private bool FramedAsLogged() => current.Group != KernelGroup.StackWalk || current.Header == HeaderKind.PerfInfo;

    private RecordStatus Parse(int at, ref RecordView view, out int next)
    {
        if (at == aheadPos)
        {
            view = ahead;
            next = aheadNext;
            return aheadStatus;
        }
        return RecordParser.Parse(data, at, end, ref view, out next);
    }

    /// <summary>
    /// Timestamps of one processor's records only rise (but for ticks of jitter) and lie inside the trace. A record
    /// outside the trace, or out of step with both its neighbours, is damage: dropped so that it moves neither the
    /// trace window nor the place of the records around it in the merge. The next record (parsed ahead, same buffer)
    /// tells which of two records is the odd one; at a buffer's end there is none, so a record that jumped ahead
    /// there is seen only when the following ones all come earlier: it has been delivered, and counts as damage.
    /// </summary>
    private bool InOrder(long timestamp)
    {
        if (timestamp < rules.Earliest || timestamp > rules.Latest) return false;
        bool hasNext = TryPeekTimestamp(out long following);
        if (timestamp < last - rules.Tolerance)
        {
            if (!hasNext || following < timestamp - rules.Tolerance || following >= last - rules.Tolerance) return false;
            info.DamagedRecords++; // the record delivered before this one was the odd one
        }
        else if (hasNext && following < timestamp - rules.Tolerance && following >= last - rules.Tolerance) return false;
        last = timestamp;
        return true;
    }

    private bool TryPeekTimestamp(out long timestamp)
    {
        timestamp = 0;
        if (pos >= end) return false;
        if (aheadPos != pos)
        {
            aheadPos = pos;
            aheadStatus = RecordParser.Parse(data, pos, end, ref ahead, out aheadNext);
        }
        timestamp = ahead.Timestamp;
        return aheadStatus == RecordStatus.Event;
    }

    private bool LoadNextBuffer()
    {
        aheadPos = -1;
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

/// <summary>Where a record's raw timestamp may lie: within the trace (plus slack: merged traces carry rundown events logged after the header's end time, 1.5 s late in
/// PerfView's), and how far one processor's timestamps may step back
/// (jitter between taking the time and reserving buffer space).</summary>
internal readonly record struct TimestampRules(long Start, long Earliest, long Latest, long Tolerance)
{
    public static TimestampRules For(TraceInfo info)
    {
        long second = Math.Max(1, info.ClockFrequency);
        bool ended = info.EndUtc != default && info.EndUtc >= info.StartUtc;
        Int128 span = ended ? (Int128)(info.EndUtc - info.StartUtc).Ticks * second / 10_000_000 : 0;
        // A file whose header has no end time (the logger never closed it) still cannot run for more than a year.
        Int128 latest = ended
            ? info.StartTimestamp + span + Int128.Max(10 * (Int128)second, span / 10)
            : info.StartTimestamp + 366 * 86_400 * (Int128)second;
        return new TimestampRules(info.StartTimestamp, Clamp(info.StartTimestamp - (Int128)second), Clamp(latest),
            Math.Max(1, second / 1000));
    }

    private static long Clamp(Int128 value) => value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;
}
