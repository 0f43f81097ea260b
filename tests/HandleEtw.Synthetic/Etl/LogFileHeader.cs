namespace HandleEtw.Synthetic.Etl;

/// <summary>
/// The payload of the EventTrace header event: TRACE_LOGFILE_HEADER (etl-format.md §2.4) with pointer-sized
/// LoggerName/LogFileName fields, the TIME_ZONE_INFORMATION and its 4 bytes of padding, then both names.
/// </summary>
public static class LogFileHeader
{
    public const byte EventVersion = 2;
    public const int TimeZoneSize = 172;
    public const int TimeZonePadding = 4;

    /// <summary>What is only known once every buffer is written.</summary>
    public readonly record struct Totals(uint BuffersWritten, DateTime EndUtc, uint EventsLost, uint BuffersLost);

    public static void Build(PayloadBuilder payload, EtlWriterOptions options, Totals totals)
    {
        int p = options.PointerSize;
        uint mode = EtlConstants.LogFileModeSequential | EtlConstants.LogFileModeSystemLogger
            | (options.Compress ? EtlConstants.LogFileModeCompressed : 0);
        payload.Clear()
            .U32((uint)options.BufferSize)
            .U32(OsVersionBytes(options))
            .U32((uint)options.OsBuild)
            .U32((uint)options.Processors)
            .U64((ulong)totals.EndUtc.ToFileTimeUtc())
            .U32(156_250)                   // TimerResolution, 100-ns units
            .U32(0)                         // MaxFileSize, MB
            .U32(mode)
            .U32(totals.BuffersWritten)
            .U32(1)                         // StartBuffers
            .U32((uint)p)
            .U32(totals.EventsLost)
            .U32((uint)options.CpuMhz)
            .Ptr(0xFFFF_C000_1234_0000, p)  // LoggerName: a kernel pointer, meaningless on disk
            .Ptr(0xFFFF_C000_1234_0100, p); // LogFileName
        WriteTimeZone(payload, options.TimeZoneBiasMinutes);
        payload
            .U64((ulong)options.StartUtc.AddHours(-6).ToFileTimeUtc()) // BootTime
            .U64((ulong)options.PerfFreq)
            .U64((ulong)options.StartUtc.ToFileTimeUtc())
            .U32(1)                         // ReservedFlags = ClockType: QPC
            .U32(totals.BuffersLost)
            .Utf16Z(options.SessionName)
            .Utf16Z(options.LogFileName);
    }

    /// <summary>Offset of TimeZoneInformation for a pointer size (64 for P=4, 72 for P=8).</summary>
    public static int TimeZoneOffset(int pointerSize) => 56 + 2 * pointerSize;

    /// <summary>Offset of BootTime: after the time zone and its padding (240 for P=4, 248 for P=8).</summary>
    public static int BootTimeOffset(int pointerSize) => TimeZoneOffset(pointerSize) + TimeZoneSize + TimeZonePadding;

    private static uint OsVersionBytes(EtlWriterOptions options) =>
        (uint)(options.OsMajor & 0xFF) | (uint)(options.OsMinor & 0xFF) << 8;

    private static void WriteTimeZone(PayloadBuilder payload, int biasMinutes)
    {
        payload.I32(biasMinutes);
        WriteFixedName(payload, "W. Europe Standard Time");
        WriteSystemTime(payload, month: 10, day: 5, hour: 3); // StandardDate: last Sunday of October
        payload.I32(0);                                       // StandardBias
        WriteFixedName(payload, "W. Europe Daylight Time");
        WriteSystemTime(payload, month: 3, day: 5, hour: 2);
        payload.I32(-60);                                     // DaylightBias
        payload.U32(0);                                       // padding to 8 bytes
    }

    /// <summary>WCHAR[32], NUL padded.</summary>
    private static void WriteFixedName(PayloadBuilder payload, string name)
    {
        for (int i = 0; i < 32; i++) payload.U16(i < name.Length && i < 31 ? name[i] : (ushort)0);
    }

    /// <summary>SYSTEMTIME in the "day-of-month = week number" form time zones use.</summary>
    private static void WriteSystemTime(PayloadBuilder payload, ushort month, ushort day, ushort hour) =>
        payload.U16(0).U16(month).U16(0).U16(day).U16(hour).U16(0).U16(0).U16(0);
}
