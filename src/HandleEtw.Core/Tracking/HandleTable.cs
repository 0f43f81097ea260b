namespace HandleEtw.Core.Tracking;

/// <summary>
/// One process's handle table: open addressing with linear probing, load ≤ 3/4 counting tombstones. A slot holds the
/// handle value next to its entry index (8 bytes), so a probe reads only the slot array and never the shared
/// <see cref="EntryPool"/>: the pool is touched once, for the entry found. Deletion leaves a tombstone (no probe-run
/// walk on the hot path); tombstones are dropped when the table is rebuilt.
/// </summary>
internal sealed class HandleTable(EntryPool pool)
{
    // A slot: handle value in the high half, entry index + 1 in the low half (1..int.MaxValue). 0 is empty; a
    // tombstone's low half (uint.MaxValue) is no entry index + 1, so it never matches a live slot.
    private const ulong Empty = 0, Tombstone = ulong.MaxValue;
    private ulong[] _slots = new ulong[16];
    private int _tombstones;
    public int Count { get; private set; }

    private static int Home(uint handle, int mask) => (int)(((handle >> 2) * 0x9E3779B1u) >> 7) & mask;

    private static ulong SlotOf(uint handle, int entry) => ((ulong)handle << 32) | (uint)(entry + 1);

    /// <summary>Slot position of a live handle, or -1.</summary>
    public int FindSlot(uint handle)
    {
        ulong[] slots = _slots;
        int mask = slots.Length - 1;
        for (int i = Home(handle, mask); ; i = (i + 1) & mask)
        {
            ulong s = slots[i];
            if (s == Empty) return -1;
            if ((uint)(s >> 32) == handle && s != Tombstone) return i;
        }
    }

    /// <summary>Starts loading the slot a lookup of <paramref name="handle"/> reads first.</summary>
    public void Prefetch(uint handle)
    {
        ulong[] slots = _slots;
        CacheHint.Prefetch(ref slots[Home(handle, slots.Length - 1)]);
    }

    /// <summary>Entry index in the slot returned by <see cref="FindSlot"/>.</summary>
    public int EntryAt(int slot) => (int)(uint)_slots[slot] - 1;

    /// <summary>Entry index of a live handle, or -1.</summary>
    public int Find(uint handle)
    {
        int slot = FindSlot(handle);
        return slot < 0 ? -1 : EntryAt(slot);
    }

    /// <summary>Adds an entry whose handle is known to be absent.</summary>
    public void Add(int entry)
    {
        if ((Count + _tombstones + 1) * 4 > _slots.Length * 3) Rebuild();
        uint handle = pool[entry].Handle;
        int mask = _slots.Length - 1;
        int i = Home(handle, mask);
        while (_slots[i] != Empty && _slots[i] != Tombstone) i = (i + 1) & mask;
        if (_slots[i] == Tombstone) _tombstones--;
        _slots[i] = SlotOf(handle, entry);
        Count++;
    }

    /// <summary>Grows when live entries need it, else rebuilds at the same size to drop tombstones.</summary>
    private void Rebuild()
    {
        int size = _slots.Length;
        if ((Count + 1) * 2 > size) size *= 2;
        var fresh = new ulong[size];
        int mask = size - 1;
        foreach (ulong s in _slots)
        {
            if (s == Empty || s == Tombstone) continue;
            int i = Home((uint)(s >> 32), mask);
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
        foreach (ulong s in _slots)
            if (s != Empty && s != Tombstone) list.Add((int)(uint)s - 1);
        return list;
    }

    public void Clear()
    {
        _slots = new ulong[16];
        _tombstones = 0;
        Count = 0;
    }
}
