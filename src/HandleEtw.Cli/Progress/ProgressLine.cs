using System.Globalization;

namespace HandleEtw.Cli.Progress;

/// <summary>The text of the progress line: bytes read of the total, records, rate and time left.</summary>
public static class ProgressLine
{
    /// <summary>Below this much elapsed time the rate (and so the ETA) says too little to print.</summary>
    private static readonly TimeSpan RateAfter = TimeSpan.FromSeconds(1);

    /// <example>`412.0 MB of 1.40 GB (29%), 3,456,789 events, 85.1 MB/s, ETA 12 s`</example>
    public static string Format(long bytesRead, long totalBytes, long events, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        long read = totalBytes > 0 ? Math.Clamp(bytesRead, 0, totalBytes) : Math.Max(bytesRead, 0);
        string text = totalBytes > 0
            ? $"{Bytes(read)} of {Bytes(totalBytes)} ({(int)(100 * read / totalBytes)}%)"
            : Bytes(read);
        text += string.Format(c, ", {0:N0} events", events);
        if (elapsed < RateAfter || read == 0) return text;
        double rate = read / elapsed.TotalSeconds;
        text += $", {Bytes((long)rate)}/s";
        if (totalBytes > read) text += ", ETA " + Duration(TimeSpan.FromSeconds((totalBytes - read) / rate));
        return text;
    }

    /// <summary>Decimal units, three significant digits from 100 MB up (`1.40 GB`, `412 MB`, `85.1 MB`, `512 B`).</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        string format = unit == 0 ? "0" : value >= 100 ? "0" : value >= 10 ? "0.0" : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>`45 s`, `3 min 05 s`, `2 h 07 min`.</summary>
    public static string Duration(TimeSpan time)
    {
        var c = CultureInfo.InvariantCulture;
        long seconds = (long)Math.Ceiling(Math.Min(time.TotalSeconds, 100 * 3600 - 1));
        if (seconds < 60) return string.Format(c, "{0} s", seconds);
        if (seconds < 3600) return string.Format(c, "{0} min {1:00} s", seconds / 60, seconds % 60);
        return string.Format(c, "{0} h {1:00} min", seconds / 3600, seconds % 3600 / 60);
    }
}
