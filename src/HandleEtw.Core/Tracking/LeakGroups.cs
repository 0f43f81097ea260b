namespace HandleEtw.Core.Tracking;

/// <summary>
/// Open and outstanding counts per (process, type, create stack): O(1) per event, no history kept. Whether a group
/// grows is judged at the end from the open times of its live handles (<see cref="GrowthRule"/>).
/// </summary>
internal sealed class LeakGroups
{
    internal struct Group
    {
        public int ProcessId; // ProcessState.Id, -1 when free
        public int StackId;
        public ushort Type;
        public Events.HandleKind Kind;
        public int Outstanding;
        public int Created;

        /// <summary>While the trace is read: the process's method-unload count at the creates (<see
        /// cref="ProcessState.MethodUnloads"/>); once regrouped by names, the id of the names its JIT frames have.</summary>
        public int Naming;

        /// <summary>Raw time of the group's first create: a time its frames had the names of every create in it.</summary>
        public long FirstCreate;
    }

    private Group[] _groups = new Group[256];
    private int _count;
    private int _freeHead = -1;
    private readonly GroupIndex _index = new();

    public ref Group this[int index] => ref _groups[index];

    public int Get(ProcessState process, ushort type, int stackId, int naming = 0, long time = 0) =>
        Get(process, Events.HandleKind.Kernel, type, stackId, naming, time);

    public int Get(ProcessState process, Events.HandleKind kind, ushort type, int stackId, int naming = 0, long time = 0)
    {
        int g = _index.Find(process.Id, stackId, type, kind, naming);
        if (g >= 0) return g;
        g = AllocateSlot();
        _groups[g] = new Group { ProcessId = process.Id, StackId = stackId, Type = type, Kind = kind, Naming = naming, FirstCreate = time };
        _index.Add(process.Id, stackId, type, kind, naming, g);
        process.Groups.Add(g);
        return g;
    }

    private int AllocateSlot()
    {
        if (_freeHead >= 0)
        {
            int g = _freeHead;
            _freeHead = _groups[g].Outstanding;
            return g;
        }
        if (_count == _groups.Length) Array.Resize(ref _groups, _count * 2);
        return _count++;
    }

    /// <summary>Starts loading the index slot a lookup of the key reads first.</summary>
    public void PrefetchIndex(ProcessState process, ushort type, int stackId, int naming) =>
        _index.Prefetch(process.Id, stackId, type, Events.HandleKind.Kernel, naming);

    /// <summary>Starts loading the group of the key, if it has one.</summary>
    public void PrefetchGroup(ProcessState process, ushort type, int stackId, int naming)
    {
        int g = _index.Find(process.Id, stackId, type, Events.HandleKind.Kernel, naming);
        if (g >= 0) CacheHint.PrefetchWhole(ref _groups[g]);
    }

    public void Opened(int g)
    {
        ref Group group = ref _groups[g];
        group.Outstanding++;
        group.Created++;
    }

    public void Closed(int g) => _groups[g].Outstanding--;

    /// <summary>
    /// Moves the process's groups to the (stack id, naming) <paramref name="rekey"/> gives; a group whose new key is
    /// taken merges into that group. Returns merged group → surviving group (null when none merged).
    /// </summary>
    public Dictionary<int, int>? Rekey(ProcessState process, Func<Group, (int Stack, int Naming)> rekey)
    {
        Dictionary<int, int>? merged = null;
        foreach (int g in process.Groups.ToList())
        {
            ref Group group = ref _groups[g];
            (int stack, int naming) = rekey(group);
            if (stack == group.StackId && naming == group.Naming) continue;
            Unindex(group);
            int into = _index.Find(group.ProcessId, stack, group.Type, group.Kind, naming);
            if (into >= 0)
            {
                Merge(g, into);
                process.Groups.Remove(g);
                Free(g);
                (merged ??= new Dictionary<int, int>()).Add(g, into);
            }
            else
            {
                group.StackId = stack;
                group.Naming = naming;
                _index.Add(group.ProcessId, stack, group.Type, group.Kind, naming, g);
            }
        }
        return merged;
    }

    private void Unindex(in Group g) => _index.Remove(g.ProcessId, g.StackId, g.Type, g.Kind, g.Naming);

    /// <summary>Adds group <paramref name="from"/>'s counts to <paramref name="into"/> (same process).</summary>
    private void Merge(int from, int into)
    {
        ref Group a = ref _groups[from];
        ref Group b = ref _groups[into];
        b.Outstanding += a.Outstanding;
        b.Created += a.Created;
        b.FirstCreate = Math.Min(a.FirstCreate, b.FirstCreate);
    }

    private void Free(int g)
    {
        ref Group group = ref _groups[g];
        group = default;
        group.ProcessId = -1;
        group.Outstanding = _freeHead;
        _freeHead = g;
    }

    public void FreeAll(ProcessState process)
    {
        foreach (int g in process.Groups)
        {
            ref Group group = ref _groups[g];
            Unindex(group);
            Free(g);
        }
        process.Groups.Clear();
    }
}
