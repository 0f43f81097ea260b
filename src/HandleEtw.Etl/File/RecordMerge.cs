using System.Runtime.CompilerServices;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>
/// The time merge of the processor streams (any number; <see cref="FewStreamMerge"/> serves a few): hands the sink
/// every record in timestamp order (on equal timestamps the lower stream first). One stream leads while its next
/// record sorts before the others' (a run: an event and its stack records pass without looking at the other streams),
/// and the loop that delivers records also switches the lead, so changing streams costs a few comparisons, not a call.
/// </summary>
internal sealed class RecordMerge(CpuCursor[] cursors) : IRecordMerge
{
    /// <summary>Records one call delivers before the caller looks at cancellation again.</summary>
    private const int Batch = 1024;

    private readonly CursorHeap heap = new(cursors.Length);
    /// <summary>The leading stream, and the next record of the others (the lead keeps going while it sorts before
    /// this): its timestamp and whether the lead goes first on a tie.</summary>
    private int lead;
    private long limit;
    private bool winsTie;

    public long LastTimestamp { get; private set; }

    public void Start(IBufferFeed feed)
    {
        heap.Clear();
        for (int i = 0; i < cursors.Length; i++)
            if (cursors[i].Rewind(feed)) heap.Push(cursors[i].Timestamp, i);
        LastTimestamp = 0;
        if (heap.Count > 0) TakeLead();
    }

    /// <remarks>Not inlined, and called once per batch: the loop is compiled with the profile of its own calls
    /// (the sink's call inlined when one sink type is seen), not by on-stack replacement inside the read.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool DeliverBatch(IRecordSink sink)
    {
        if (heap.Count == 0) return false;
        CpuCursor cursor = cursors[lead];
        ReadOnlySpan<RecordView> chunk = cursor.Chunk;
        byte[] bytes = cursor.Data;
        int i = cursor.Index;
        long last = 0;
        EventRecord handed = default;
        for (int budget = Batch; budget > 0; budget--)
        {
            ref readonly RecordView record = ref chunk[i];
            last = record.Fields.Timestamp;
            record.MoveInto(ref handed, bytes);
            sink.OnRecord(in handed);
            if (++i < chunk.Length)
            {
                if (Precedes(chunk[i].Fields.Timestamp)) continue;
            }
            else if (cursor.Refill())
            {
                chunk = cursor.Chunk;
                bytes = cursor.Data;
                i = 0;
                if (Precedes(chunk[0].Fields.Timestamp)) continue;
            }
            else
            {
                heap.Pop();
                if (heap.Count == 0)
                {
                    LastTimestamp = last;
                    return false;
                }
                TakeLead(); // the new lead's next record is the oldest: it goes next
                cursor = cursors[lead];
                chunk = cursor.Chunk;
                bytes = cursor.Data;
                i = cursor.Index;
                continue;
            }
            // The lead's next record sorts after another stream's: hand the lead over.
            cursor.Index = i;
            heap.TopMoved(cursor.Timestamp);
            TakeLead();
            cursor = cursors[lead];
            chunk = cursor.Chunk;
            bytes = cursor.Data;
            i = cursor.Index;
        }
        cursor.Index = i;
        LastTimestamp = last;
        return true;
    }

    private bool Precedes(long t) => t < limit || (t == limit && winsTie);

    private void TakeLead()
    {
        lead = heap.TopRank;
        (limit, int limitRank) = heap.RunnerUp();
        winsTie = lead < limitRank;
    }
}
