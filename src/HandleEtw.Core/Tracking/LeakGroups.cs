namespace HandleEtw.Core.Tracking;

/// <summary>
/// Outstanding-count timelines per (process, type, create stack). Each group integrates its step function n(t) as it
/// changes (∫n dt and ∫t·n dt), which is all a continuous least-squares slope needs: O(1) per event, no history kept.
/// </summary>
internal sealed class LeakGroups
{
    internal struct Group
    {
        public int ProcessId; // ProcessState.Id, -1 when free
        public int StackId;
        public ushort Type;
        public int Outstanding;
        public int Created;
        public double StartSeconds;
        public double LastSeconds;
        public double IntegralN;
        public double IntegralTN;
    }

    private readonly record struct Key(int Process, int Stack, ushort Type);

    private Group[] _groups = new Group[256];
    private int _count;
    private int _freeHead = -1;
    private readonly Dictionary<Key, int> _index = new();

    public ref Group this[int index] => ref _groups[index];

    public int Get(ProcessState process, ushort type, int stackId, double processStartSeconds)
    {
        // Most creates repeat a recent stack: a small direct-mapped cache per process skips the hash lookup.
        int[] cache = process.GroupCache;
        int line = (int)((uint)(stackId * 31 + type) & (uint)(cache.Length - 1));
        int cached = cache[line] - 1;
        if (cached >= 0)
        {
            ref Group hit = ref _groups[cached];
            if (hit.StackId == stackId && hit.Type == type && hit.ProcessId == process.Id) return cached;
        }
        var key = new Key(process.Id, stackId, type);
        if (_index.TryGetValue(key, out int g))
        {
            cache[line] = g + 1;
            return g;
        }
        g = AllocateSlot();
        _groups[g] = new Group
        {
            ProcessId = process.Id, StackId = stackId, Type = type,
            StartSeconds = processStartSeconds, LastSeconds = processStartSeconds,
        };
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

    public void Opened(int g, double seconds)
    {
        ref Group group = ref _groups[g];
        Advance(ref group, seconds);
        group.Outstanding++;
        group.Created++;
    }

    public void Closed(int g, double seconds)
    {
        ref Group group = ref _groups[g];
        Advance(ref group, seconds);
        group.Outstanding--;
    }

    private static void Advance(ref Group group, double t)
    {
        if (t <= group.LastSeconds) return;
        double n = group.Outstanding;
        group.IntegralN += n * (t - group.LastSeconds);
        group.IntegralTN += n * (t - group.LastSeconds) * (t + group.LastSeconds) / 2;
        group.LastSeconds = t;
    }

    /// <summary>Least-squares slope (per second) of the outstanding count over [start, end].</summary>
    public double Slope(int g, double endSeconds)
    {
        Group group = _groups[g];
        Advance(ref group, endSeconds);
        double t0 = group.StartSeconds, span = endSeconds - t0;
        if (span <= 0) return 0;
        double meanT = (t0 + endSeconds) / 2;
        double covariance = group.IntegralTN / span - meanT * (group.IntegralN / span);
        return covariance / (span * span / 12);
    }

    public void FreeAll(ProcessState process)
    {
        foreach (int g in process.Groups)
        {
            ref Group group = ref _groups[g];
            _index.Remove(new Key(group.ProcessId, group.StackId, group.Type));
            group = default;
            group.ProcessId = -1;
            group.Outstanding = _freeHead;
            _freeHead = g;
        }
        process.Groups.Clear();
        Array.Clear(process.GroupCache);
    }
}
