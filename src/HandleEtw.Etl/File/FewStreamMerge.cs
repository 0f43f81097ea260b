using System.Runtime.CompilerServices;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;
using HandleEtw.Etl.Statistics;

namespace HandleEtw.Etl.File;

/// <summary>
/// The time merge for a few processor streams (at most <see cref="MaxStreams"/>, as on most machines), in the same
/// order as <see cref="RecordMerge"/>: one stream leads while its next record sorts before the others' next records (a
/// run), and when it stops, the stream that held the runner-up record takes over. Runs are short when processors
/// interleave finely (an event and its stack records), so a change of lead is made cheap to wait for: the next lead is
/// known before the run ends, and finding the new runner-up among the few streams' next timestamps (a short loop over
/// one small array) does not hold up delivering the new lead's first record.
/// </summary>
internal sealed class FewStreamMerge : IRecordMerge
{
    public const int MaxStreams = 8;
    /// <summary>Records one call delivers before the caller looks at cancellation again.</summary>
    private const int Batch = 1024;

    private readonly CpuCursor[] cursors;
    // The streams that still have records, in rank order (so on a tie the lower slot is the lower stream), one slot
    // each: the cursor, its chunk's array, buffer and length, its next record's place in the chunk and timestamp
    // (not kept up to date for the lead while it leads).
    private readonly CpuCursor[] live = new CpuCursor[MaxStreams];
    private readonly RecordView[][] chunks = new RecordView[MaxStreams][];
    private readonly byte[][] data = new byte[MaxStreams][];
    private readonly int[] lengths = new int[MaxStreams];
    private readonly int[] places = new int[MaxStreams];
    private readonly long[] heads = new long[MaxStreams];
    private int liveCount;
    /// <summary>The leading slot, and the runner-up: its slot (-1 when the lead is alone) and next timestamp.</summary>
    private int lead, runnerUp;
    private long limit;

    public FewStreamMerge(CpuCursor[] cursors)
    {
        if (cursors.Length > MaxStreams) throw new ArgumentException($"at most {MaxStreams} streams", nameof(cursors));
        this.cursors = cursors;
    }

    public long LastTimestamp { get; private set; }

    public void Start(IBufferFeed feed)
    {
        liveCount = 0;
        LastTimestamp = 0;
        foreach (CpuCursor cursor in cursors)
            if (cursor.Rewind(feed))
            {
                live[liveCount] = cursor;
                TakeChunk(liveCount);
                heads[liveCount] = cursor.Timestamp;
                places[liveCount++] = cursor.Index;
            }
        if (liveCount > 0) Elect();
    }

    /// <summary>Delivers up to one batch; false once every stream has ended. The sinks of the analyses (the decoder,
    /// and for `stats` the record counts before it) get loops of their own whose calls to them are direct: two or
    /// three calls a record, through interfaces otherwise.</summary>
    public bool DeliverBatch(IRecordSink sink) => sink switch
    {
        TraceDecoder decoder => Deliver(new ToDecoder(decoder)),
        RecordFanOut { First: RecordStatistics counts, Second: TraceDecoder decoder } => Deliver(new ToCountsAndDecoder(counts, decoder)),
        _ => Deliver(new ToAnySink(sink)),
    };

    /// <remarks>Kept out of line and called once per batch: each sink's struct gets a loop compiled for it, and the
    /// precompiled loop is recompiled at the top tier like any hot method.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Deliver<TSink>(TSink sink) where TSink : struct, IBatchSink
    {
        if (liveCount == 0) return false;
        int slot = lead;
        RecordView[] views = chunks[slot];
        byte[] bytes = data[slot];
        int length = lengths[slot], i = places[slot];
        long last = 0;
        EventRecord handed = default;
        bool ahead = sink.WantsUpcoming;
        for (int budget = Batch; budget > 0; budget--)
        {
            ref readonly RecordView record = ref views[i];
            last = record.Fields.Timestamp;
            record.MoveInto(ref handed, bytes);
            if (ahead && i + 1 < length)
            {
                ref readonly RecordView after = ref views[i + 1];
                sink.Upcoming(in after.Fields, bytes.AsSpan(after.PayloadOffset, after.PayloadLength));
            }
            sink.OnRecord(in handed);
            long t;
            if (++i < length) t = views[i].Fields.Timestamp;
            else if (live[slot].Refill())
            {
                TakeChunk(slot);
                bytes = data[slot];
                length = lengths[slot];
                i = 0;
                t = views[0].Fields.Timestamp;
            }
            else
            {
                Remove(slot);
                if (liveCount == 0)
                {
                    LastTimestamp = last;
                    return false;
                }
                Elect(); // every remaining slot's next timestamp is current
                slot = lead;
                views = chunks[slot];
                bytes = data[slot];
                length = lengths[slot];
                i = places[slot];
                continue;
            }
            if (t < limit || (t == limit && (runnerUp < 0 || slot < runnerUp))) continue;
            // The runner-up's record sorts first: its stream leads now, and the others' oldest is the new runner-up.
            places[slot] = i;
            heads[slot] = t;
            slot = lead = runnerUp;
            views = chunks[slot];
            bytes = data[slot];
            length = lengths[slot];
            i = places[slot];
            FindRunnerUp();
        }
        places[slot] = i;
        LastTimestamp = last;
        return true;
    }

    /// <summary>The sink as the delivery loop calls it: one struct per kind, so the loop is compiled for each.</summary>
    private interface IBatchSink
    {
        bool WantsUpcoming { get; }
        void Upcoming(in RecordHeader header, ReadOnlySpan<byte> payload);
        void OnRecord(in EventRecord record);
    }

    private readonly struct ToDecoder(TraceDecoder decoder) : IBatchSink
    {
        public bool WantsUpcoming => true;
        public void Upcoming(in RecordHeader header, ReadOnlySpan<byte> payload) => decoder.Upcoming(header, payload);
        public void OnRecord(in EventRecord record) => decoder.OnRecord(record);
    }

    /// <summary>What <see cref="RecordFanOut"/> of the two does (the counts first, then the decoder; only the decoder
    /// takes the lookahead, the counts being no <see cref="IRecordLookahead"/>), without its interface calls: the two
    /// must stay alike.</summary>
    private readonly struct ToCountsAndDecoder(RecordStatistics counts, TraceDecoder decoder) : IBatchSink
    {
        public bool WantsUpcoming => true;
        public void Upcoming(in RecordHeader header, ReadOnlySpan<byte> payload) => decoder.Upcoming(header, payload);

        public void OnRecord(in EventRecord record)
        {
            counts.OnRecord(record);
            decoder.OnRecord(record);
        }
    }

    private readonly struct ToAnySink(IRecordSink sink) : IBatchSink
    {
        private readonly IRecordLookahead? ahead = sink as IRecordLookahead;
        public bool WantsUpcoming => ahead is not null;
        public void Upcoming(in RecordHeader header, ReadOnlySpan<byte> payload) => ahead!.Upcoming(header, payload);
        public void OnRecord(in EventRecord record) => sink.OnRecord(record);
    }

    /// <summary>The lead is the slot with the oldest next record (the first of equals), then its runner-up.</summary>
    private void Elect()
    {
        int best = 0;
        for (int j = 1; j < liveCount; j++)
            if (heads[j] < heads[best]) best = j;
        lead = best;
        FindRunnerUp();
    }

    /// <summary>The oldest next record (the first of equals) among the slots but the lead's.</summary>
    private void FindRunnerUp()
    {
        int best = -1;
        long oldest = long.MaxValue;
        for (int j = 0; j < liveCount; j++)
        {
            if (j == lead) continue;
            long t = heads[j];
            if (best < 0 || t < oldest)
            {
                best = j;
                oldest = t;
            }
        }
        runnerUp = best;
        limit = oldest;
    }

    /// <summary>Takes the slot's cursor's current chunk (after its start or a refill; its array stays the same).</summary>
    private void TakeChunk(int slot)
    {
        CpuCursor cursor = live[slot];
        chunks[slot] = cursor.Views;
        data[slot] = cursor.Data;
        lengths[slot] = cursor.ChunkLength;
    }

    /// <summary>The slot's stream has ended: the later slots move down, keeping rank order.</summary>
    private void Remove(int slot)
    {
        int n = --liveCount;
        for (int j = slot; j < n; j++)
        {
            live[j] = live[j + 1];
            chunks[j] = chunks[j + 1];
            data[j] = data[j + 1];
            lengths[j] = lengths[j + 1];
            places[j] = places[j + 1];
            heads[j] = heads[j + 1];
        }
        live[n] = null!;
        chunks[n] = null!;
        data[n] = null!;
    }
}
