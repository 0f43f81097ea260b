namespace HandleEtw.Core.Stacks;

/// <summary>
/// A small direct-mapped cache in front of dictionaries that a hot path asks about the same few keys again and again
/// (the stack table's kernel + user part pairs, once per event): one array probe instead of a hash lookup. A miss
/// falls back to the dictionaries. Only for answers that never change: an entry stays until another key takes its line.
/// </summary>
public sealed class RecentCache<T> where T : struct
{
    private readonly ulong[] _keys;
    private readonly T[] _values;
    private readonly bool[] _used;
    private readonly int _shift;

    /// <param name="bits">log2 of the number of lines.</param>
    public RecentCache(int bits = 10)
    {
        _keys = new ulong[1 << bits];
        _values = new T[1 << bits];
        _used = new bool[1 << bits];
        _shift = 64 - bits;
    }

    private int Line(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

    public bool TryGet(ulong key, out T value)
    {
        int line = Line(key);
        if (_used[line] && _keys[line] == key)
        {
            value = _values[line];
            return true;
        }
        value = default;
        return false;
    }

    public void Set(ulong key, T value)
    {
        int line = Line(key);
        _keys[line] = key;
        _values[line] = value;
        _used[line] = true;
    }
}
