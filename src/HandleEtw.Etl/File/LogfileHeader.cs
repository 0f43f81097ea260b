using System.Buffers.Binary;
using System.Runtime.InteropServices;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>
/// TRACE_LOGFILE_HEADER, the payload of the EventTrace header event that opens every .etl file (etl-format.md §2.4).
/// Offsets depend on the pointer size of that event; the 172-byte TIME_ZONE_INFORMATION is followed by 4 bytes of
/// padding before BootTime.
/// </summary>
internal sealed class LogfileHeader
{
    public uint BufferSize { get; private init; }
    public uint Version { get; private init; }
    public uint ProviderVersion { get; private init; }
    public uint Processors { get; private init; }
    public long EndTime { get; private init; }
    public uint LogFileMode { get; private init; }
    public uint BuffersWritten { get; private init; }
    public uint PointerSize { get; private init; }
    public uint EventsLost { get; private init; }
    public uint CpuMhz { get; private init; }
    public long PerfFreq { get; private init; }
    public long StartTime { get; private init; }
    public uint ClockType { get; private init; }
    public uint BuffersLost { get; private init; }
    public string SessionName { get; private init; } = "";

    /// <summary>Parses the payload; null when it is too short to be a logfile header.</summary>
    public static LogfileHeader? Parse(ReadOnlySpan<byte> p, int pointerSize)
    {
        int tail = 56 + 2 * pointerSize + 176; // BootTime: after TIME_ZONE_INFORMATION (172) + 4 bytes padding
        if (p.Length < tail + 32) return null;
        return new LogfileHeader
        {
            BufferSize = U32(p, 0),
            Version = U32(p, 4),
            ProviderVersion = U32(p, 8),
            Processors = U32(p, 12),
            EndTime = I64(p, 16),
            LogFileMode = U32(p, 32),
            BuffersWritten = U32(p, 36),
            PointerSize = U32(p, 44),
            EventsLost = U32(p, 48),
            CpuMhz = U32(p, 52),
            PerfFreq = I64(p, tail + 8),
            StartTime = I64(p, tail + 16),
            ClockType = U32(p, tail + 24),
            BuffersLost = U32(p, tail + 28),
            SessionName = ReadUtf16z(p[(tail + 32)..]),
        };
    }

    /// <summary>Ticks per second of the raw timestamps, or 0 when the clock cannot be used.</summary>
    public long ClockFrequency => ClockType switch
    {
        2 => 10_000_000,
        3 => CpuMhz * 1_000_000L,
        _ => PerfFreq,
    };

    public TraceInfo ToTraceInfo(string source, long headerTimestamp, int headerPointerSize) => new()
    {
        Source = source,
        SessionName = SessionName,
        StartUtc = FromFileTime(StartTime),
        EndUtc = FromFileTime(EndTime),
        ClockFrequency = ClockFrequency,
        ClockType = (int)ClockType,
        StartTimestamp = headerTimestamp,
        PointerSize = PointerSize is 4 or 8 ? (int)PointerSize : headerPointerSize,
        OsVersion = new Version((int)(Version & 0xFF), (int)((Version >> 8) & 0xFF)),
        OsBuild = (int)(ProviderVersion & 0xFFFF),
        Processors = (int)Math.Min(Processors, 4096),
        LogFileMode = LogFileMode,
        BufferSize = (int)Math.Min(BufferSize, int.MaxValue),
        EventsLost = EventsLost,
        BuffersLost = BuffersLost,
        BuffersWritten = BuffersWritten,
    };

    private static DateTime FromFileTime(long fileTime) =>
        fileTime > 0 && fileTime <= DateTime.MaxValue.ToFileTimeUtc() ? DateTime.FromFileTimeUtc(fileTime) : default;

    private static string ReadUtf16z(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<char> chars = MemoryMarshal.Cast<byte, char>(bytes[..(bytes.Length & ~1)]);
        int nul = chars.IndexOf('\0');
        return new string(nul >= 0 ? chars[..nul] : chars);
    }

    private static uint U32(ReadOnlySpan<byte> p, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(p[offset..]);
    private static long I64(ReadOnlySpan<byte> p, int offset) => BinaryPrimitives.ReadInt64LittleEndian(p[offset..]);
}
