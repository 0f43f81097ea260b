using System.Runtime.CompilerServices;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Less(int a, int b) => Precedes(items[a], items[b]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Precedes(in Entry a, in Entry b) => a.Timestamp < b.Timestamp || (a.Timestamp == b.Timestamp && a.Rank < b.Rank);

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

    /// <summary>Moves the entry at <paramref name="i"/> down to its place: the smaller child moves up into the hole
    /// until neither child sorts before the entry (one write a level, not a swap).</summary>
    private void SiftDown(int i)
    {
        Entry moving = items[i];
        int count = Count;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && Precedes(items[child + 1], items[child])) child++;
            if (!Precedes(items[child], moving)) break;
            items[i] = items[child];
            i = child;
        }
        items[i] = moving;
    }
}
