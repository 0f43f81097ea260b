using HandleEtw.Core.Records;

namespace HandleEtw.Parquet;

/// <summary>Raw trace timestamps → nanoseconds since trace start and UTC, without per-event 128-bit math.</summary>
internal sealed class TraceClock(TraceInfo info)
{
    public TraceInfo Info { get; } = info;

    // QPC at 10 MHz (the usual case) and other divisors of 1 GHz convert with one multiplication; the factor is
    // worked out once, not per event (two divisions per row showed in the convert profile). 0: no such factor.
    private readonly long _start = info.StartTimestamp;
    private readonly long _nanosecondsPerTick = NanosecondsPerTick(info.ClockFrequency);
    private readonly long _maxDelta = NanosecondsPerTick(info.ClockFrequency) is > 0 and var n ? long.MaxValue / n : 0;

    public long ToNanoseconds(long timestamp)
    {
        long delta = timestamp - _start;
        bool wrapped = ((timestamp ^ _start) & (timestamp ^ delta)) < 0;
        if (_nanosecondsPerTick != 0 && !wrapped && delta < _maxDelta && delta > -_maxDelta) return delta * _nanosecondsPerTick;
        return Info.ToRelativeNanoseconds(timestamp);
    }

    private static long NanosecondsPerTick(long frequency) =>
        frequency > 0 && 1_000_000_000 % frequency == 0 ? 1_000_000_000 / frequency : 0;

    public DateTime ToUtcFromNanoseconds(long nanoseconds) =>
        DateTime.SpecifyKind(Info.StartUtc, DateTimeKind.Utc).AddTicks(nanoseconds / 100);
}

/// <summary>Object type index → name, from the type rundown; grows as names arrive.</summary>
public sealed class ObjectTypeNames
{
    private readonly string?[] _names = new string?[ushort.MaxValue + 1];

    public void Set(ushort index, string name) => _names[index] = name;
    public string? Get(ushort index) => _names[index];

    public IEnumerable<(ushort Index, string Name)> All()
    {
        for (int i = 0; i < _names.Length; i++)
            if (_names[i] is { } name) yield return ((ushort)i, name);
    }
}

/// <summary>
/// `events.op`: the handle operation as a stable one-byte code (0 create, 1 close, 2 duplicate, 3 rundown_start,
/// 4 rundown_end), fixed by the schema whatever the in-memory enum becomes.
/// </summary>
public static class EventOps
{
    public const byte Create = 0, Close = 1, Duplicate = 2, RundownStart = 3, RundownEnd = 4, Owner = 5, Transform = 6,
        Unknown = 255;

    /// <summary>GDI/USER rows: create 0, destroy 1 (as close), owner change 5, transform 6.</summary>
    public static byte Code(Core.Events.GuiHandleOp op) => op switch
    {
        Core.Events.GuiHandleOp.Create => Create,
        Core.Events.GuiHandleOp.Destroy => Close,
        Core.Events.GuiHandleOp.OwnerChange => Owner,
        _ => Transform,
    };

    public static byte Code(Core.Events.HandleOp op) => op switch
    {
        Core.Events.HandleOp.Create => Create,
        Core.Events.HandleOp.Close => Close,
        Core.Events.HandleOp.Duplicate => Duplicate,
        Core.Events.HandleOp.RundownStart => RundownStart,
        Core.Events.HandleOp.RundownEnd => RundownEnd,
        _ => Unknown,
    };
}
