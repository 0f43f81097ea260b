namespace HandleEtw.Core.Tracking;

/// <summary>Whether a group's still-open handles show growth over the window, and why.</summary>
public readonly record struct GrowthVerdict(bool Growing, double PerMinute, string Reason);

/// <summary>
/// The leak verdict, shared by `leaks`, the report and scripts/leaks.sql (which restates it in SQL). The window runs
/// from the process's start (or the trace's, if it was already running) to the end of the trace. A group is growing
/// when at least <see cref="MinOpen"/> of its handles are still open at the end, the last of them was opened in the
/// second half of the window, and their open times span at least a quarter of the window and at least one second.
/// Its growth is how fast those survivors accumulated: (count − 1) over the time from the first to the last. Anything
/// else is flat, whatever its size: handles opened early and kept (a cache, a startup set) are held, not leaked.
/// Handles open since before the trace (rundown) count as opened at the window's start. Times are raw trace clock ticks.
/// </summary>
public static class GrowthRule
{
    public const int MinOpen = 3;

    // The reasons, word for word as scripts/leaks.sql gives them.
    public const string Growing = "growing: still open handles were opened across the window, up to its second half";
    public const string TooFew = "flat: fewer than 3 still open";
    public const string Early = "flat: all opened in the first half of the window, then held";
    public const string Burst = "flat: opened in a burst shorter than a quarter of the window or 1 s";

    public static GrowthVerdict Judge(int stillOpen, long firstOpen, long lastOpen, long windowStart, long windowEnd,
                                      long ticksPerSecond)
    {
        long window = windowEnd - windowStart, span = lastOpen - firstOpen;
        if (stillOpen < MinOpen)
            return new(false, 0, TooFew);
        if (2 * (lastOpen - windowStart) < window)
            return new(false, 0, Early);
        if (4 * span < window || span < ticksPerSecond)
            return new(false, 0, Burst);
        double perMinute = (stillOpen - 1) * 60.0 * ticksPerSecond / span;
        return new(true, perMinute, Growing);
    }
}
