namespace HandleEtw.Symbols;

/// <summary>An address range [Base, Base + Size) that held <typeparamref name="T"/> from Load to Unload (null: before
/// the trace / still there at the end).</summary>
public readonly record struct TimedRange<T>(ulong Base, ulong Size, long? Load, long? Unload, T Value);

/// <summary>
/// Address + time → what covered it, over a finished list of ranges (modules of a process, or .NET methods' code):
/// sorted by base, with the largest size so that no range starting further below needs a look. When several ranges
/// cover an address at a time (a reused base), the latest loaded wins.
/// </summary>
public sealed class RangeTimeline<T>
{
    private readonly TimedRange<T>[] _sorted;
    private readonly ulong _maxSize;

    public RangeTimeline(IEnumerable<TimedRange<T>> ranges)
    {
        _sorted = ranges.Where(r => r.Size > 0).OrderBy(r => r.Base).ToArray();
        _maxSize = _sorted.Length == 0 ? 0 : _sorted.Max(r => r.Size);
    }

    public int Count => _sorted.Length;

    public bool TryFind(ulong address, long time, out TimedRange<T> found)
    {
        found = default;
        bool any = false;
        for (int i = UpperBound(address) - 1; i >= 0; i--)
        {
            TimedRange<T> r = _sorted[i];
            if (address - r.Base >= _maxSize) break;
            if (address - r.Base >= r.Size) continue;
            if ((r.Load ?? long.MinValue) > time || (r.Unload ?? long.MaxValue) <= time) continue;
            if (!any || (r.Load ?? long.MinValue) >= (found.Load ?? long.MinValue)) found = r;
            any = true;
        }
        return any;
    }

    /// <summary>Index of the first range whose base is above the address.</summary>
    private int UpperBound(ulong address)
    {
        int lo = 0, hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_sorted[mid].Base <= address) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
