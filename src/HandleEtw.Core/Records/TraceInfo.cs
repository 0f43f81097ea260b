namespace HandleEtw.Core.Records;

/// <summary>
/// What a trace says about itself (the .etl logfile header, or the live session's properties), plus the counters of
/// damage and loss the source keeps while reading. Mutable counters are updated by the source as it goes.
/// </summary>
public sealed class TraceInfo
{
    /// <summary>Source file path, or the live session name.</summary>
    public string Source { get; init; } = "";

    /// <summary>Session/logger name from the header, when recorded.</summary>
    public string SessionName { get; init; } = "";

    /// <summary>Machine name, when the trace records one.</summary>
    public string? HostName { get; set; }

    public DateTime StartUtc { get; set; }
    public DateTime EndUtc { get; set; }

    /// <summary>Raw clock ticks per second (PerfFreq).</summary>
    public long ClockFrequency { get; init; } = 10_000_000;

    /// <summary>1 QPC, 2 system time, 3 CPU cycles.</summary>
    public int ClockType { get; init; } = 1;

    /// <summary>Raw timestamp that corresponds to <see cref="StartUtc"/>.</summary>
    public long StartTimestamp { get; init; }

    public int PointerSize { get; init; } = 8;
    public Version OsVersion { get; init; } = new(0, 0);
    public int OsBuild { get; init; }
    public int Processors { get; init; }
    public uint LogFileMode { get; init; }
    public int BufferSize { get; init; }

    /// <summary>Events the logger says it lost (header, plus lost-event records and live counters).</summary>
    public long EventsLost { get; set; }
    public long BuffersLost { get; set; }

    /// <summary>Buffers the logger says it wrote to the file (0 when it does not say).</summary>
    public long BuffersWritten { get; init; }

    /// <summary>Buffers found in the file, compressed ones, and ones skipped as damaged.</summary>
    public long Buffers { get; set; }
    public long CompressedBuffers { get; set; }
    public long DamagedBuffers { get; set; }

    /// <summary>Bytes of damaged buffers skipped (events inside them are lost to damage).</summary>
    public long DamagedBytes { get; set; }

    /// <summary>Records whose framing was not understood (WPP, unknown header types) and were stepped over.</summary>
    public long SkippedRecords { get; set; }

    /// <summary>Every file read as this one timeline, in time order (one entry for a single file).</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];

    /// <summary>Stretches of time between files of a sequence that no file covers: events there are lost.</summary>
    public List<TraceGap> Gaps { get; } = [];

    /// <summary>Records dropped or misplaced as damage inside good buffers: unknown header types, timestamps out of
    /// their processor's order or outside the trace, payloads too short for their event.</summary>
    public long DamagedRecords { get; set; }

    /// <summary>True when anything was lost or damaged: every result says so.</summary>
    public bool Lossy => EventsLost > 0 || BuffersLost > 0 || DamagedBuffers > 0 || DamagedRecords > 0 || Gaps.Count > 0;

    /// <summary>Converts a raw timestamp to UTC.</summary>
    /// <remarks>Saturates at the ends of DateTime: a damaged timestamp never makes a time that cannot be printed.</remarks>
    public DateTime ToUtc(long timestamp)
    {
        long ticks = ToRelativeTicks(timestamp);
        if (ticks > (DateTime.MaxValue - StartUtc).Ticks) return DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);
        if (ticks < (DateTime.MinValue - StartUtc).Ticks) return DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
        return StartUtc.AddTicks(ticks);
    }

    /// <summary>100-ns ticks since trace start.</summary>
    public long ToRelativeTicks(long timestamp) => ClockMath.ScaleDifference(timestamp, StartTimestamp, 10_000_000, ClockFrequency);

    /// <summary>Nanoseconds since trace start.</summary>
    public long ToRelativeNanoseconds(long timestamp) =>
        ClockMath.ScaleDifference(timestamp, StartTimestamp, 1_000_000_000, ClockFrequency);

    /// <summary>Raw timestamp for a time relative to the start (seconds), for --from/--to.</summary>
    public long FromRelativeSeconds(double seconds) =>
        StartTimestamp + (long)(seconds * ClockFrequency);

    /// <summary>Raw timestamp for a UTC instant.</summary>
    public long FromUtc(DateTime utc) =>
        StartTimestamp + (long)((Int128)(utc.ToUniversalTime() - StartUtc).Ticks * ClockFrequency / 10_000_000);

    /// <summary>The same session and clock, as a trace that starts at <paramref name="timestamp"/> (a part cut from
    /// this one, such as a ring's window), without this trace's counters.</summary>
    public TraceInfo StartingAt(long timestamp, string source) => new()
    {
        Source = source, SessionName = SessionName, HostName = HostName, StartUtc = ToUtc(timestamp),
        ClockFrequency = ClockFrequency, ClockType = ClockType, StartTimestamp = timestamp, PointerSize = PointerSize,
        OsVersion = OsVersion, OsBuild = OsBuild, Processors = Processors, LogFileMode = LogFileMode, BufferSize = BufferSize,
    };
}

/// <summary>A lossy interval between two files of a sequence: raw timestamps of the earlier file's end and the later
/// file's start, on the timeline's clock.</summary>
public readonly record struct TraceGap(long FromTimestamp, long ToTimestamp, string Before, string After);
