namespace HandleEtw.Reports.Collect;

/// <summary>
/// Samples named counts at evenly spaced instants into at most <see cref="MaxSamples"/> points. The spacing is not
/// known in advance (a trace's end may be missing from its header): when the points run out, every other one is
/// dropped and the spacing doubles, so memory stays keys × MaxSamples whatever the trace length.
/// </summary>
public sealed class TimeSampler<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, int[]> _series = new();
    private readonly Func<IEnumerable<(TKey Key, int Value)>> _read;
    private readonly int _maxKeys;
    private long _origin;
    private bool _started;
    private int _count;

    /// <param name="read">Current counts; keys not listed count as zero.</param>
    /// <param name="width">Initial spacing in raw clock ticks (doubles as needed).</param>
    /// <param name="maxKeys">Keys beyond this many are not charted (bounds memory on traces with many processes).</param>
    /// <param name="origin">Where the grid starts (raw time); null: at the first event.</param>
    public TimeSampler(Func<IEnumerable<(TKey Key, int Value)>> read, long width, int maxSamples = 500, int maxKeys = 4096,
                       long? origin = null)
    {
        if (maxSamples < 2 || maxSamples % 2 != 0) throw new ArgumentOutOfRangeException(nameof(maxSamples), "must be even and at least 2");
        _read = read;
        Width = Math.Max(1, width);
        MaxSamples = maxSamples;
        _maxKeys = maxKeys;
        if (origin is long start) (_origin, _started) = (start, true);
    }

    public int MaxSamples { get; }

    /// <summary>Current spacing between samples, in raw clock ticks.</summary>
    public long Width { get; private set; }

    /// <summary>Raw timestamp of the first event, or the origin given (time of sample -1).</summary>
    public long Origin => _origin;

    public int Count => _count;

    /// <summary>Keys that were seen but not kept because of the key limit.</summary>
    public int DroppedKeys { get; private set; }

    /// <summary>Raw timestamp of sample <paramref name="index"/> (the end of its interval).</summary>
    public long TimeOf(int index) => _origin + (index + 1) * Width;

    public IReadOnlyDictionary<TKey, int[]> Series => _series;

    /// <summary>Called before an event at <paramref name="timestamp"/> is applied: samples every instant before it.</summary>
    public void Advance(long timestamp)
    {
        if (!_started)
        {
            _origin = timestamp;
            _started = true;
            return;
        }
        if (timestamp <= TimeOf(_count)) return;
        Fill(timestamp);
    }

    /// <summary>Samples up to and including the end of the trace.</summary>
    public void Finish(long endTimestamp)
    {
        if (!_started) return;
        Fill(endTimestamp + 1);
        if (_count > 0 && TimeOf(_count - 1) >= endTimestamp) return;
        if (_count == MaxSamples) Compact();
        FillUpTo(_count + 1); // the state at the end, on the first instant after it
    }

    private void Fill(long timestamp)
    {
        // Samples whose instant is before the event: indices _count .. n-1.
        long n = (timestamp - _origin - 1) / Width;
        while (n > MaxSamples)
        {
            Compact();
            n = (timestamp - _origin - 1) / Width;
        }
        FillUpTo((int)n);
    }

    private void FillUpTo(int end)
    {
        if (end <= _count) return;
        foreach (var (key, value) in _read())
        {
            if (value == 0) continue;
            if (!_series.TryGetValue(key, out int[]? values))
            {
                if (_series.Count >= _maxKeys) { DroppedKeys++; continue; }
                values = new int[MaxSamples];
                _series.Add(key, values);
            }
            Array.Fill(values, value, _count, end - _count);
        }
        _count = end;
    }

    /// <summary>Keeps every second sample (the ones on the doubled grid) and doubles the spacing.</summary>
    private void Compact()
    {
        int kept = _count / 2;
        foreach (int[] values in _series.Values)
        {
            for (int j = 0; j < kept; j++) values[j] = values[2 * j + 1];
            Array.Clear(values, kept, MaxSamples - kept);
        }
        _count = kept;
        Width *= 2;
    }
}
