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
    }

    private readonly record struct Key(int Process, int Stack, ushort Type, Events.HandleKind Kind);

    private Group[] _groups = new Group[256];
    private int _count;
    private int _freeHead = -1;
    private readonly Dictionary<Key, int> _index = new();

    public ref Group this[int index] => ref _groups[index];

    public int Get(ProcessState process, ushort type, int stackId) => Get(process, Events.HandleKind.Kernel, type, stackId);

    public int Get(ProcessState process, Events.HandleKind kind, ushort type, int stackId)
    {
        // Most creates repeat a recent stack: a small direct-mapped cache per process skips the hash lookup.
        int[] cache = process.GroupCache;
        int line = (int)((uint)(stackId * 31 + type + ((int)kind << 16)) & (uint)(cache.Length - 1));
        int cached = cache[line] - 1;
        if (cached >= 0)
        {
            ref Group hit = ref _groups[cached];
            if (hit.StackId == stackId && hit.Type == type && hit.Kind == kind && hit.ProcessId == process.Id) return cached;
        }
        var key = new Key(process.Id, stackId, type, kind);
        if (_index.TryGetValue(key, out int g))
        {
            cache[line] = g + 1;
            return g;
        }
        g = AllocateSlot();
        _groups[g] = new Group { ProcessId = process.Id, StackId = stackId, Type = type, Kind = kind };
        _index.Add(key, g);
        process.Groups.Add(g);
        cache[line] = g + 1;
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

    public void Opened(int g)
    {
        ref Group group = ref _groups[g];
        group.Outstanding++;
        group.Created++;
    }

    public void Closed(int g) => _groups[g].Outstanding--;

    /// <summary>
    /// Moves the process's groups to the stack ids <paramref name="canonical"/> gives; a group whose new key is taken
    /// merges into that group. Returns merged group → surviving group (null when none merged).
    /// </summary>
    public Dictionary<int, int>? Rekey(ProcessState process, Func<int, int> canonical)
    {
        Dictionary<int, int>? merged = null;
        foreach (int g in process.Groups.ToList())
        {
            ref Group group = ref _groups[g];
            int stack = canonical(group.StackId);
            if (stack == group.StackId) continue;
            _index.Remove(new Key(group.ProcessId, group.StackId, group.Type, group.Kind));
            var key = new Key(group.ProcessId, stack, group.Type, group.Kind);
            if (_index.TryGetValue(key, out int into))
            {
                Merge(g, into);
                process.Groups.Remove(g);
                Free(g);
                (merged ??= new Dictionary<int, int>()).Add(g, into);
            }
            else
            {
                group.StackId = stack;
                _index.Add(key, g);
            }
        }
        Array.Clear(process.GroupCache);
        return merged;
    }

    /// <summary>Adds group <paramref name="from"/>'s counts to <paramref name="into"/> (same process).</summary>
    private void Merge(int from, int into)
    {
        ref Group a = ref _groups[from];
        ref Group b = ref _groups[into];
        b.Outstanding += a.Outstanding;
        b.Created += a.Created;
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
            _index.Remove(new Key(group.ProcessId, group.StackId, group.Type, group.Kind));
            Free(g);
        }
        process.Groups.Clear();
        Array.Clear(process.GroupCache);
    }
}
