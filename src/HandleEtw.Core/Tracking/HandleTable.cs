namespace HandleEtw.Core.Tracking;

/// <summary>
/// One process's handle table: open addressing with linear probing over entry indices (4 bytes a slot, load ≤ 3/4
/// counting tombstones), keys read from the shared <see cref="EntryPool"/>. Deletion leaves a tombstone (no probe-run
/// walk on the hot path); tombstones are dropped when the table is rebuilt.
/// </summary>
internal sealed class HandleTable(EntryPool pool)
{
    private const int Empty = 0, Tombstone = -1;
    private int[] _slots = new int[16]; // entry index + 1; 0 empty; -1 deleted
    private int _tombstones;
    public int Count { get; private set; }

    private static int Home(uint handle, int mask) => (int)(((handle >> 2) * 0x9E3779B1u) >> 7) & mask;

    /// <summary>Slot position of a live handle, or -1.</summary>
    public int FindSlot(uint handle)
    {
        int mask = _slots.Length - 1;
        for (int i = Home(handle, mask); ; i = (i + 1) & mask)
        {
            int s = _slots[i];
            if (s == Empty) return -1;
            if (s != Tombstone && pool[s - 1].Handle == handle) return i;
        }
    }

    /// <summary>Entry index in the slot returned by <see cref="FindSlot"/>.</summary>
    public int EntryAt(int slot) => _slots[slot] - 1;

    /// <summary>Entry index of a live handle, or -1.</summary>
    public int Find(uint handle)
    {
        int slot = FindSlot(handle);
        return slot < 0 ? -1 : _slots[slot] - 1;
    }

    /// <summary>Adds an entry whose handle is known to be absent.</summary>
    public void Add(int entry)
    {
        if ((Count + _tombstones + 1) * 4 > _slots.Length * 3) Rebuild();
        int mask = _slots.Length - 1;
        int i = Home(pool[entry].Handle, mask);
        while (_slots[i] > 0) i = (i + 1) & mask;
        if (_slots[i] == Tombstone) _tombstones--;
        _slots[i] = entry + 1;
        Count++;
    }

    /// <summary>Grows when live entries need it, else rebuilds at the same size to drop tombstones.</summary>
    private void Rebuild()
    {
        int size = _slots.Length;
        if ((Count + 1) * 2 > size) size *= 2;
        var fresh = new int[size];
        int mask = size - 1;
        foreach (int s in _slots)
        {
            if (s <= 0) continue;
            int i = Home(pool[s - 1].Handle, mask);
            while (fresh[i] != Empty) i = (i + 1) & mask;
            fresh[i] = s;
        }
        _slots = fresh;
        _tombstones = 0;
    }

    /// <summary>Empties a slot found by <see cref="FindSlot"/> (the entry itself is freed by the caller).</summary>
    public void RemoveAt(int slot)
    {
        int mask = _slots.Length - 1;
        // A tombstone before an empty slot ends no probe run: it can be emptied outright.
        if (_slots[(slot + 1) & mask] == Empty) _slots[slot] = Empty;
        else
        {
            _slots[slot] = Tombstone;
            _tombstones++;
        }
        Count--;
    }

    public void Remove(uint handle)
    {
        int slot = FindSlot(handle);
        if (slot >= 0) RemoveAt(slot);
    }

    /// <summary>Entry indices of all live handles (a copy, so callers may free while iterating).</summary>
    public List<int> Entries()
    {
        var list = new List<int>(Count);
        foreach (int s in _slots)
            if (s > 0) list.Add(s - 1);
        return list;
    }

    public void Clear()
    {
        _slots = new int[16];
        _tombstones = 0;
        Count = 0;
    }
}
