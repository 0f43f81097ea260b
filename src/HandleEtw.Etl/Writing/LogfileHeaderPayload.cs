using System.Buffers.Binary;
using System.Text;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Writing;

/// <summary>TRACE_LOGFILE_HEADER, the EventTrace header event's payload (etl-format.md §2.4), from what a
/// <see cref="TraceInfo"/> knows: pointer-sized name fields, an empty time zone and its padding, then the names.</summary>
internal static class LogfileHeaderPayload
{
    private const int TimeZoneSize = 172, TimeZonePadding = 4;

    public static byte[] Build(TraceInfo info, int processors, int bufferSize, uint buffersWritten, DateTime startUtc, DateTime endUtc, uint mode)
    {
        int p = info.PointerSize == 4 ? 4 : 8;
        int tail = 56 + 2 * p + TimeZoneSize + TimeZonePadding;
        byte[] session = Encoding.Unicode.GetBytes(info.SessionName + "\0");
        byte[] file = Encoding.Unicode.GetBytes(Path.GetFileName(info.Source) + "\0");
        var b = new byte[tail + 32 + session.Length + file.Length];
        Span<byte> s = b;
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)bufferSize);
        s[4] = (byte)Math.Max(0, info.OsVersion.Major);
        s[5] = (byte)Math.Max(0, info.OsVersion.Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)info.OsBuild);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], (uint)processors);
        BinaryPrimitives.WriteInt64LittleEndian(s[16..], FileTime(endUtc));
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], 156_250); // TimerResolution, 100-ns units
        BinaryPrimitives.WriteUInt32LittleEndian(s[32..], mode);
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], buffersWritten);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], 1); // StartBuffers
        BinaryPrimitives.WriteUInt32LittleEndian(s[44..], (uint)p);
        BinaryPrimitives.WriteUInt32LittleEndian(s[52..], info.ClockType == 3 ? (uint)(info.ClockFrequency / 1_000_000) : 0);
        BinaryPrimitives.WriteInt64LittleEndian(s[(tail + 8)..], info.ClockFrequency);
        BinaryPrimitives.WriteInt64LittleEndian(s[(tail + 16)..], FileTime(startUtc));
        BinaryPrimitives.WriteUInt32LittleEndian(s[(tail + 24)..], (uint)info.ClockType);
        session.CopyTo(s[(tail + 32)..]);
        file.CopyTo(s[(tail + 32 + session.Length)..]);
        return b;
    }

    private static long FileTime(DateTime utc) =>
        utc > DateTime.FromFileTimeUtc(0) ? utc.ToFileTimeUtc() : 0;
}
