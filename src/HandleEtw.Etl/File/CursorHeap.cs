namespace HandleEtw.Etl.File;

/// <summary>Min-heap of processor streams ordered by their next record's timestamp (ties: lower rank first), for the
/// k-way merge of per-processor streams. It holds each stream's rank and next timestamp by value, so ordering reads
/// one array and moves no object references.</summary>
internal sealed class CursorHeap(int capacity)
{
    private readonly Entry[] items = new Entry[capacity];

    private struct Entry
    {
        public long Timestamp;
        public int Rank;
    }

    public int Count { get; private set; }

    /// <summary>The rank of the stream whose next record is the oldest.</summary>
    public int TopRank => items[0].Rank;

    public void Clear() => Count = 0;

    public void Push(long timestamp, int rank)
    {
        int i = Count++;
        items[i] = new Entry { Timestamp = timestamp, Rank = rank };
        SiftUp(i);
    }

    /// <summary>The smallest (timestamp, rank) among the other streams: the top keeps the lead while it sorts before
    /// this. (long.MaxValue, int.MaxValue) when the top is alone.</summary>
    public (long Timestamp, int Rank) RunnerUp()
    {
        if (Count < 2) return (long.MaxValue, int.MaxValue);
        int best = Count > 2 && Less(2, 1) ? 2 : 1;
        return (items[best].Timestamp, items[best].Rank);
    }

    /// <summary>The top stream moved on to a record at <paramref name="timestamp"/>: restore the order.</summary>
    public void TopMoved(long timestamp)
    {
        items[0].Timestamp = timestamp;
        SiftDown(0);
    }

    public void Pop()
    {
        Count--;
        if (Count == 0) return;
        items[0] = items[Count];
        SiftDown(0);
    }

    private bool Less(int a, int b)
    {
        long ta = items[a].Timestamp, tb = items[b].Timestamp;
        return ta < tb || (ta == tb && items[a].Rank < items[b].Rank);
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Less(i, parent)) return;
            (items[i], items[parent]) = (items[parent], items[i]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = 2 * i + 1, smallest = i;
            if (left < Count && Less(left, smallest)) smallest = left;
            if (left + 1 < Count && Less(left + 1, smallest)) smallest = left + 1;
            if (smallest == i) return;
            (items[i], items[smallest]) = (items[smallest], items[i]);
            i = smallest;
        }
    }
}
