using HandleEtw.Core.Events;

namespace HandleEtw.Core.Stacks;

/// <summary>The native code of one .NET method over one span of time: [Start, Start + Size) from Loaded to Unloaded.</summary>
public sealed class MethodRange
{
    public required int ProcessId { get; init; }

    /// <summary>The kernel's unique key of the process that logged the range (0 when no process event named it first).</summary>
    public ulong ProcessKey { get; init; }
    public required ulong MethodId { get; init; }
    public required ulong ModuleId { get; init; }
    public required ulong Start { get; init; }
    public required uint Size { get; init; }
    public required uint Flags { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required string Signature { get; init; }
    public required ulong ReJitId { get; init; }

    /// <summary>long.MinValue: present before the trace (rundown), or before the unload that first showed it.</summary>
    public required long Loaded { get; set; }
    public long Unloaded { get; set; } = long.MaxValue;

    /// <summary>Which event showed the range first (Load, DCStart, DCEnd, or Unload of a method loaded before the trace).</summary>
    public required MethodOp Source { get; init; }

    public ulong End => Start + Size;
    public bool Covers(ulong address, long time) => address >= Start && address - Start < Size && Loaded <= time && time < Unloaded;
    public string FullName => string.IsNullOrEmpty(Namespace) ? Name : $"{Namespace}.{Name}";
}

/// <summary>
/// One process's method ranges, searchable by address and time. Ranges are appended as events arrive and merged into
/// the address-sorted list on the next lookup, so a trace's many loads cost one sort, not one insertion each.
/// </summary>
internal sealed class MethodRanges
{
    private List<MethodRange> _sorted = new();
    private readonly List<MethodRange> _pending = new();
    private readonly List<MethodRange> _unknownLoad = new();
    private readonly Dictionary<(ulong MethodId, ulong Start), MethodRange> _live = new();
    private uint _largest;

    public int Count => _sorted.Count + _pending.Count;

    public IEnumerable<MethodRange> All
    {
        get
        {
            Merge();
            return _sorted;
        }
    }

    public MethodRange? Live(ulong methodId, ulong start) => _live.GetValueOrDefault((methodId, start));

    /// <param name="loadUnknown">First seen without its load (end rundown, unload): it was loaded after every other
    /// method whose code overlapped it was unloaded, which is settled when the ranges are next merged.</param>
    public void Add(MethodRange range, bool loadUnknown = false)
    {
        _pending.Add(range);
        if (loadUnknown) _unknownLoad.Add(range);
        if (range.Size > _largest) _largest = range.Size;
        if (range.Unloaded == long.MaxValue) _live[(range.MethodId, range.Start)] = range;
    }

    public void Unload(MethodRange range, long time)
    {
        range.Unloaded = time;
        _live.Remove((range.MethodId, range.Start));
    }

    /// <summary>Every range still loaded ends at <paramref name="time"/> (the process exited).</summary>
    public void UnloadAll(long time)
    {
        foreach (MethodRange r in _live.Values) r.Unloaded = time;
        _live.Clear();
    }

    /// <summary>The range covering <paramref name="address"/> at <paramref name="time"/>; the latest loaded when several do.</summary>
    public MethodRange? Find(ulong address, long time)
    {
        Merge();
        int i = LastStartingAtOrBefore(address);
        MethodRange? best = null;
        for (; i >= 0 && address - _sorted[i].Start < _largest; i--)
        {
            MethodRange r = _sorted[i];
            if (r.Covers(address, time) && (best is null || r.Loaded > best.Loaded)) best = r;
        }
        return best;
    }

    /// <summary>The latest unload before <paramref name="before"/> among ranges overlapping [start, start + size)
    /// (strictly before: the range itself is among them).</summary>
    private long LastUnloadOverlapping(ulong start, uint size, long before)
    {
        long latest = long.MinValue;
        int i = LastStartingAtOrBefore(start + Math.Max(size, 1) - 1);
        for (; i >= 0 && start < _sorted[i].Start + _largest; i--)
        {
            MethodRange r = _sorted[i];
            bool overlaps = r.Start < start + size && start < r.End;
            if (overlaps && r.Unloaded < before && r.Unloaded > latest) latest = r.Unloaded;
        }
        return latest;
    }

    private int LastStartingAtOrBefore(ulong address)
    {
        int lo = 0, hi = _sorted.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (_sorted[mid].Start <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }

    private void Merge()
    {
        if (_pending.Count == 0) return;
        _pending.Sort(ByStart);
        var merged = new List<MethodRange>(_sorted.Count + _pending.Count);
        int a = 0, b = 0;
        while (a < _sorted.Count || b < _pending.Count)
        {
            bool takePending = a == _sorted.Count || (b < _pending.Count && _pending[b].Start < _sorted[a].Start);
            merged.Add(takePending ? _pending[b++] : _sorted[a++]);
        }
        _sorted = merged;
        _pending.Clear();
        foreach (MethodRange r in _unknownLoad)
            r.Loaded = LastUnloadOverlapping(r.Start, r.Size, r.Unloaded);
        _unknownLoad.Clear();
    }

    private static int ByStart(MethodRange x, MethodRange y) => x.Start.CompareTo(y.Start);
}
