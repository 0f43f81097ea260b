using HandleEtw.Core.Records;

namespace HandleEtw.Parquet;

/// <summary>Raw trace timestamps → nanoseconds since trace start and UTC, without per-event 128-bit math.</summary>
internal sealed class TraceClock(TraceInfo info)
{
    public TraceInfo Info { get; } = info;

    public long ToNanoseconds(long timestamp)
    {
        long delta = timestamp - Info.StartTimestamp;
        long frequency = Info.ClockFrequency;
        // QPC at 10 MHz (the usual case) and other divisors of 1 GHz convert with one multiplication.
        if (frequency > 0 && 1_000_000_000 % frequency == 0 && Math.Abs(delta) < long.MaxValue / 1000)
            return delta * (1_000_000_000 / frequency);
        return Info.ToRelativeNanoseconds(timestamp);
    }

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
