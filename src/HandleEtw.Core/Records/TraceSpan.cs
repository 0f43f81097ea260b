using System.Globalization;

namespace HandleEtw.Core.Records;

/// <summary>
/// The one definition of a trace's time span, used by every command and the report: from the header's start to the
/// header's end; when the header has no usable end (live sessions, damaged headers), to the last event.
/// </summary>
public readonly record struct TraceSpan(DateTime StartUtc, DateTime EndUtc, bool EndKnown)
{
    public double Seconds => (EndUtc - StartUtc).TotalSeconds;

    /// <param name="lastEventTimestamp">The last event's raw time, when the trace has been read; null before.</param>
    public static TraceSpan Of(TraceInfo info, long? lastEventTimestamp)
    {
        DateTime start = info.StartUtc;
        if (info.EndUtc > start) return new TraceSpan(start, info.EndUtc, true);
        if (lastEventTimestamp is long last && info.ToUtc(last) > start) return new TraceSpan(start, info.ToUtc(last), true);
        return new TraceSpan(start, start, false);
    }

    /// <summary>`0 to 10.07 s (2024-05-01T12:00:00Z to 2024-05-01T12:00:10.07Z)`, for messages.</summary>
    public string Describe() => EndKnown
        ? string.Create(CultureInfo.InvariantCulture, $"0 to {Seconds:0.###} s ({Iso(StartUtc)} to {Iso(EndUtc)})")
        : $"from {Iso(StartUtc)} (end not recorded)";

    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);
}
