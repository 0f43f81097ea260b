using System.Runtime.CompilerServices;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>
/// The record stream of one processor: its buffers in sequence order (from a <see cref="IBufferFeed"/>), parsed a
/// chunk of records at a time ahead of the merge, positioned on its next record (<see cref="Timestamp"/>) so the merge
/// can compare timestamps. Runs on the merge thread only, so it is the one place that counts skipped records, lost-event
/// records and damaged buffers and records (a chunk's as it is parsed, at most <see cref="ChunkSize"/> records ahead).
/// </summary>
internal sealed class CpuCursor(int stream, TraceInfo info, TimestampRules rules)
{
    /// <summary>Records parsed ahead in one go: one tight loop per chunk instead of a call per record, and a chunk's
    /// views (64 bytes a record) stay in the processor's cache until the merge delivers them.</summary>
    private const int ChunkSize = 128;

    private IBufferFeed? feed;
    private LoadedBuffer? buffer;
    private byte[] data = [];
    private int end;
    /// <summary>The chunk: views[0..count) are the records to deliver, views[index] the next one. One slot more holds
    /// the record after the chunk, parsed ahead for the last one's order check.</summary>
    private readonly RecordView[] views = new RecordView[ChunkSize + 1];
    private int index, count;
    /// <summary>Where parsing stands in the buffer: the record at <see cref="pos"/> is parsed (into the slot after
    /// the chunk's records) with <see cref="status"/>, and the one after it starts at <see cref="next"/>.</summary>
    private int pos, next;
    private RecordStatus status;
    /// <summary>Timestamp of the last record this stream accepted.</summary>
    private long last;

    /// <summary>Starts over at the first buffer of <paramref name="source"/>; false when the stream has no records.</summary>
    public bool Rewind(IBufferFeed source)
    {
        feed = source;
        buffer = null;
        data = [];
        pos = next = end = 0;
        index = count = 0;
        last = rules.Start;
        return Refill();
    }

    public ushort Cpu { get; private set; }
    /// <summary>The next record's timestamp (valid while the stream has records).</summary>
    public long Timestamp => views[index].Fields.Timestamp;

    /// <summary>The chunk's parsed records: <see cref="Chunk"/>[<see cref="Index"/>] is the next one to deliver.</summary>
    public ReadOnlySpan<RecordView> Chunk => views.AsSpan(0, count);

    /// <summary>The array the chunk lies in (its first <see cref="ChunkLength"/> records), the same one after every
    /// refill: the merge of a few streams indexes it itself.</summary>
    public RecordView[] Views => views;
    public int ChunkLength => count;

    /// <summary>Where delivery stands in the chunk; the merge moves it on as it hands the records out.</summary>
    public int Index { get => index; set => index = value; }

    /// <summary>The buffer the chunk's records lie in (their payload offsets are into it).</summary>
    public byte[] Data => data;

    /// <summary>Parses the next chunk (the merge has delivered this one), loading later buffers as needed; false when
    /// the stream has ended.</summary>
    public bool Refill()
    {
        while (true)
        {
            if (pos < end)
            {
                views[0] = views[ChunkSize]; // a full chunk left the record after it parsed in the extra slot
                ParseChunk();
            }
            else if (!LoadNextBuffer()) return false;
            if (count > 0) return true;
        }
    }

    /// <summary>
    /// Parses records from <see cref="pos"/> (already parsed into views[0]) until the chunk is full or the buffer
    /// ends, keeping those to deliver. Each event record is checked against the next record, parsed ahead (and used,
    /// not parsed again); a record that is not one to deliver is stepped over and counted.
    /// </summary>
    private void ParseChunk()
    {
        // Few locals, so the loop keeps them in registers: the counters, rarely moved, are counted in place.
        RecordView[] v = views;
        byte[] bytes = data;
        int e = end, p = pos, nx = next, n = 0;
        RecordStatus s = status;
        long accepted = last;
        while (p < e && n < ChunkSize)
        {
            if (s == RecordStatus.Event)
            {
                ref RecordView record = ref v[n];
                ref RecordView following = ref v[n + 1];
                int after = e;
                RecordStatus followingStatus = nx < e ? RecordParser.Parse(bytes, nx, e, ref following, out after) : RecordStatus.End;
                if (FramedAsLogged(record) && InOrder(record.Fields.Timestamp, followingStatus == RecordStatus.Event, following.Fields.Timestamp, ref accepted))
                {
                    if (IsLostEvent(record)) info.EventsLost++;
                    record.Fields.Cpu = Cpu;
                    n++;
                }
                else
                {
                    info.DamagedRecords++;
                    record = following;
                }
                p = nx;
                s = followingStatus;
                nx = after;
                continue;
            }
            if (!StepOver(s, p, e)) p = e;
            else
            {
                p = nx;
                if (p < e) s = RecordParser.Parse(bytes, p, e, ref v[n], out nx);
            }
        }
        pos = p;
        next = nx;
        status = s;
        last = accepted;
        index = 0;
        count = n;
    }

    /// <summary>Counts a record that is not one to deliver; false when it is damage that loses the rest of the buffer
    /// (Damaged: End only comes at the end of the data).</summary>
    private bool StepOver(RecordStatus s, int p, int e)
    {
        switch (s)
        {
            case RecordStatus.Skipped:
                info.SkippedRecords++;
                return true;
            case RecordStatus.Unknown:
                info.SkippedRecords++;
                info.DamagedRecords++;
                return true;
            default:
                CountDamage(e - p);
                return false;
        }
    }

    /// <summary>The kernel logs stack walks (stacks and stack keys) with PERFINFO headers only: a StackWalk hook under
    /// another header is a damaged header type, whose payload would be read from the wrong offset.</summary>
    private static bool FramedAsLogged(in RecordView record) => record.Fields.Group != KernelGroup.StackWalk || record.Fields.Header == HeaderKind.PerfInfo;

    /// <summary>A lost-event record (never a classic kernel record: those carry a group's task GUID).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLostEvent(in RecordView record) => record.Fields.Group == KernelGroup.None && IsLostEventProvider(record.Fields.ProviderId);

    private static bool IsLostEventProvider(in Guid provider) => provider == KernelTasks.LostEventTaskId;

    /// <summary>
    /// Timestamps of one processor's records only rise (but for ticks of jitter) and lie inside the trace. A record
    /// outside the trace, or out of step with both its neighbours, is damage: dropped so that it moves neither the
    /// trace window nor the place of the records around it in the merge. The next record (parsed ahead, same buffer)
    /// tells which of two records is the odd one; at a buffer's end there is none, so a record that jumped ahead
    /// there is seen only when the following ones all come earlier: it has been delivered, and counts as damage.
    /// </summary>
    /// <param name="accepted">The timestamp of the last record accepted: moved to this one when it is.</param>
    private bool InOrder(long timestamp, bool hasNext, long following, ref long accepted)
    {
        if (timestamp < rules.Earliest || timestamp > rules.Latest) return false;
        long tolerance = rules.Tolerance;
        if (timestamp < accepted - tolerance)
        {
            if (!hasNext || following < timestamp - tolerance || following >= accepted - tolerance) return false;
            info.DamagedRecords++; // the record delivered before this one was the odd one
        }
        else if (hasNext && following < timestamp - tolerance && following >= accepted - tolerance) return false;
        accepted = timestamp;
        return true;
    }

    /// <summary>Moves to the next buffer that loaded and parses its first chunk; false when the stream has ended.</summary>
    private bool LoadNextBuffer()
    {
        while ((buffer = feed!.Next(stream, buffer)) is { } loaded)
        {
            if (!loaded.Loaded)
            {
                CountDamage(loaded.Entry.FileSize);
                continue;
            }
            data = loaded.Data;
            Cpu = loaded.Entry.Cpu;
            pos = BufferHeader.Size;
            end = loaded.Entry.DataEnd;
            if (pos < end) status = RecordParser.Parse(data, pos, end, ref views[0], out next);
            ParseChunk();
            return true;
        }
        data = [];
        pos = end = 0;
        index = count = 0;
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
        // 64-bit arithmetic where nothing overflows (every real trace); the same rules in 128 bits otherwise.
        long second = Math.Max(1, info.ClockFrequency);
        bool ended = info.EndUtc != default && info.EndUtc >= info.StartUtc;
        long span = ended ? ClockMath.ScaleDifference((info.EndUtc - info.StartUtc).Ticks, 0, second, 10_000_000) : 0;
        if (span == long.MaxValue) return ForWide(info);
        try
        {
            long latest = ended
                ? checked(info.StartTimestamp + span + Math.Max(10 * second, span / 10))
                : checked(info.StartTimestamp + 366 * 86_400 * second);
            return new TimestampRules(info.StartTimestamp, checked(info.StartTimestamp - second), latest,
                Math.Max(1, second / 1000));
        }
        catch (OverflowException)
        {
            return ForWide(info);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TimestampRules ForWide(TraceInfo info)
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
