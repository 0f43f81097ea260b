namespace HandleEtw.Core.Tracking;

/// <summary>
/// One process's handle table: open addressing with linear probing over entry indices (4 bytes a slot, load ≤ 3/4),
/// keys read from the shared <see cref="EntryPool"/>. Deletion shifts back, so there are no tombstones.
/// </summary>
internal sealed class HandleTable(EntryPool pool)
{
    private int[] _slots = new int[16]; // entry index + 1; 0 = empty
    public int Count { get; private set; }

    private static int Home(uint handle, int mask) => (int)(((handle >> 2) * 0x9E3779B1u) >> 7) & mask;

    /// <summary>Entry index of a live handle, or -1.</summary>
    public int Find(uint handle)
    {
        int mask = _slots.Length - 1;
        for (int i = Home(handle, mask); ; i = (i + 1) & mask)
        {
            int s = _slots[i];
            if (s == 0) return -1;
            if (pool[s - 1].Handle == handle) return s - 1;
        }
    }

    /// <summary>Adds an entry whose handle is known to be absent.</summary>
    public void Add(int entry)
    {
        if ((Count + 1) * 4 > _slots.Length * 3) Grow();
        Place(_slots, entry, pool[entry].Handle);
        Count++;
    }

    private static void PlaceInto(int[] slots, int entry, uint handle)
    {
        int mask = slots.Length - 1;
        int i = Home(handle, mask);
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = entry + 1;
    }

    private void Place(int[] slots, int entry, uint handle) => PlaceInto(slots, entry, handle);

    private void Grow()
    {
        var bigger = new int[_slots.Length * 2];
        foreach (int s in _slots)
            if (s != 0) PlaceInto(bigger, s - 1, pool[s - 1].Handle);
        _slots = bigger;
    }

    /// <summary>Removes a handle's slot (the entry itself is freed by the caller).</summary>
    public void Remove(uint handle)
    {
        int mask = _slots.Length - 1;
        int i = Home(handle, mask);
        while (true)
        {
            int s = _slots[i];
            if (s == 0) return;
            if (pool[s - 1].Handle == handle) break;
            i = (i + 1) & mask;
        }
        // Backward-shift: move later members of the probe run into the hole when their home allows it.
        int hole = i;
        for (int j = (hole + 1) & mask; _slots[j] != 0; j = (j + 1) & mask)
        {
            int home = Home(pool[_slots[j] - 1].Handle, mask);
            bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (!movable) continue;
            _slots[hole] = _slots[j];
            hole = j;
        }
        _slots[hole] = 0;
        Count--;
    }

    /// <summary>Entry indices of all live handles (a copy, so callers may free while iterating).</summary>
    public List<int> Entries()
    {
        var list = new List<int>(Count);
        foreach (int s in _slots)
            if (s != 0) list.Add(s - 1);
        return list;
    }

    public void Clear()
    {
        _slots = new int[16];
        Count = 0;
    }
}
