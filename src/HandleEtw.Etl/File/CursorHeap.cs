namespace HandleEtw.Etl.File;

/// <summary>Min-heap of processor cursors ordered by their next record's timestamp (ties: lower processor first),
/// for the k-way merge of per-processor streams.</summary>
internal sealed class CursorHeap(int capacity)
{
    private readonly CpuCursor[] items = new CpuCursor[capacity];
    private readonly int[] ranks = new int[capacity];

    public int Count { get; private set; }
    public CpuCursor Top => items[0];

    public void Clear() => Count = 0;

    public void Push(CpuCursor cursor, int rank)
    {
        int i = Count++;
        items[i] = cursor;
        ranks[i] = rank;
        SiftUp(i);
    }

    public int TopRank => ranks[0];

    /// <summary>The smallest (timestamp, rank) among the other cursors: the top keeps the lead while it sorts before
    /// this. (long.MaxValue, int.MaxValue) when the top is alone.</summary>
    public (long Timestamp, int Rank) RunnerUp()
    {
        if (Count < 2) return (long.MaxValue, int.MaxValue);
        int best = Count > 2 && Less(2, 1) ? 2 : 1;
        return (items[best].Timestamp, ranks[best]);
    }

    /// <summary>The top cursor moved to its next record: restore the order.</summary>
    public void TopChanged() => SiftDown(0);

    public void Pop()
    {
        Count--;
        if (Count == 0) return;
        items[0] = items[Count];
        ranks[0] = ranks[Count];
        SiftDown(0);
    }

    private bool Less(int a, int b)
    {
        long ta = items[a].Timestamp, tb = items[b].Timestamp;
        return ta < tb || (ta == tb && ranks[a] < ranks[b]);
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Less(i, parent)) return;
            Swap(i, parent);
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
            Swap(i, smallest);
            i = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        (items[a], items[b]) = (items[b], items[a]);
        (ranks[a], ranks[b]) = (ranks[b], ranks[a]);
    }
}
