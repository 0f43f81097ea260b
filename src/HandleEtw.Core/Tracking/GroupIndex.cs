namespace HandleEtw.Core.Tracking;

/// <summary>
/// Leak group by (process, stack, type, kind, naming): open addressing with linear probing and the whole key in the
/// slot, so a lookup is one read of one slot most of the time (a general hash map reads a bucket array, then an
/// entry array, through a comparer). Load ≤ 1/2; removal shifts the rest of the probe run back (no tombstones).
/// </summary>
internal sealed class GroupIndex
{
    private struct Slot
    {
        public int Process;
        public int Stack;
        public int Naming;
        public ushort Type;
        public Events.HandleKind Kind;
        public int GroupPlusOne; // 0: empty
    }

    private Slot[] _slots = new Slot[256];
    private int _count;

    public int Count => _count;

    private static int Home(int process, int stack, ushort type, Events.HandleKind kind, int naming, int mask)
    {
        uint h = (uint)process * 0x9E3779B1u ^ (uint)stack * 0x85EBCA77u ^ (uint)naming * 0xC2B2AE3Du
                 ^ ((uint)type | (uint)kind << 16) * 0x27D4EB2Fu;
        return (int)(h ^ h >> 15) & mask;
    }

    private static bool Matches(in Slot s, int process, int stack, ushort type, Events.HandleKind kind, int naming) =>
        s.Stack == stack && s.Process == process && s.Type == type && s.Kind == kind && s.Naming == naming;

    /// <summary>The group of the key, or -1.</summary>
    public int Find(int process, int stack, ushort type, Events.HandleKind kind, int naming)
    {
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        for (int i = Home(process, stack, type, kind, naming, mask); ; i = (i + 1) & mask)
        {
            ref Slot s = ref slots[i];
            if (s.GroupPlusOne == 0) return -1;
            if (Matches(s, process, stack, type, kind, naming)) return s.GroupPlusOne - 1;
        }
    }

    /// <summary>Starts loading the slot a lookup of the key reads first.</summary>
    public void Prefetch(int process, int stack, ushort type, Events.HandleKind kind, int naming)
    {
        Slot[] slots = _slots;
        CacheHint.PrefetchWhole(ref slots[Home(process, stack, type, kind, naming, slots.Length - 1)]);
    }

    /// <summary>Adds a key known to be absent.</summary>
    public void Add(int process, int stack, ushort type, Events.HandleKind kind, int naming, int group)
    {
        if ((_count + 1) * 2 > _slots.Length) Grow();
        Insert(_slots, new Slot { Process = process, Stack = stack, Type = type, Kind = kind, Naming = naming, GroupPlusOne = group + 1 });
        _count++;
    }

    private static void Insert(Slot[] slots, in Slot slot)
    {
        int mask = slots.Length - 1;
        int i = Home(slot.Process, slot.Stack, slot.Type, slot.Kind, slot.Naming, mask);
        while (slots[i].GroupPlusOne != 0) i = (i + 1) & mask;
        slots[i] = slot;
    }

    private void Grow()
    {
        var fresh = new Slot[_slots.Length * 2];
        foreach (Slot s in _slots)
            if (s.GroupPlusOne != 0) Insert(fresh, s);
        _slots = fresh;
    }

    public void Remove(int process, int stack, ushort type, Events.HandleKind kind, int naming)
    {
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        int i = Home(process, stack, type, kind, naming, mask);
        while (true)
        {
            if (slots[i].GroupPlusOne == 0) return;
            if (Matches(slots[i], process, stack, type, kind, naming)) break;
            i = (i + 1) & mask;
        }
        _count--;
        // Backward shift: move each later slot of the run into the hole when its home does not lie in (hole, slot].
        int hole = i;
        for (int j = (i + 1) & mask; slots[j].GroupPlusOne != 0; j = (j + 1) & mask)
        {
            ref Slot s = ref slots[j];
            int home = Home(s.Process, s.Stack, s.Type, s.Kind, s.Naming, mask);
            bool stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            slots[hole] = s;
            hole = j;
        }
        slots[hole] = default;
    }
}
