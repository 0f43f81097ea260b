namespace HandleEtw.Bench;

/// <summary>Medians of repeated measurements: one slow or one lucky run does not move them.</summary>
public static class Medians
{
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The median of <paramref name="repeat"/> calls of <paramref name="measure"/>.</summary>
    public static double Of(int repeat, Func<double> measure) => Of(Enumerable.Range(0, repeat).Select(_ => measure()).ToList());
}
