namespace HandleEtw.Synthetic.Etl;

/// <summary>How a synthetic trace file is laid out and what its header says.</summary>
public sealed record EtlWriterOptions
{
    public int Processors { get; init; } = 2;

    /// <summary>Bytes per buffer (uncompressed capacity); 64 KB like a default kernel session.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>XPRESS-compress every data buffer (flag 0x40, LogFileMode 0x04000000).</summary>
    public bool Compress { get; init; }

    /// <summary>Pointer size of the trace (header event and 64-bit header types).</summary>
    public int PointerSize { get; init; } = 8;

    public DateTime StartUtc { get; init; } = new(2024, 3, 1, 9, 30, 0, DateTimeKind.Utc);

    /// <summary>QPC ticks per second. Logical time is in 100-ns ticks and scaled to this.</summary>
    public long PerfFreq { get; init; } = 10_000_000;

    /// <summary>Raw QPC value at logical time 0 (the header event's timestamp).</summary>
    public long StartQpc { get; init; } = 123_456_789_000;

    public string SessionName { get; init; } = "handleetw synthetic";
    public string LogFileName { get; init; } = @"C:\traces\synthetic.etl";

    /// <summary>Events lost as the header states them.</summary>
    public uint EventsLost { get; init; }

    public int OsMajor { get; init; } = 10;
    public int OsMinor { get; init; }
    public int OsBuild { get; init; } = 22631;
    public int CpuMhz { get; init; } = 2995;

    /// <summary>Time zone bias in minutes (positive west of UTC).</summary>
    public int TimeZoneBiasMinutes { get; init; } = -60;

    internal void Validate()
    {
        if (Processors is < 1 or > 2048) throw new ArgumentOutOfRangeException(nameof(Processors));
        if (BufferSize < 1024 || BufferSize % 8 != 0) throw new ArgumentOutOfRangeException(nameof(BufferSize));
        if (PointerSize is not (4 or 8)) throw new ArgumentOutOfRangeException(nameof(PointerSize));
        if (PerfFreq <= 0) throw new ArgumentOutOfRangeException(nameof(PerfFreq));
    }
}
