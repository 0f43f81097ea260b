using System.Globalization;

namespace HandleEtw.Etl.Writing;

/// <summary>When a rolled capture starts its next file: after a span of trace time (`10m`) or once the file holds
/// a size (`1GB`), whichever the policy names.</summary>
public sealed record RollPolicy
{
    public long? MaxBytes { get; init; }
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Smallest file size a roll accepts: a few buffers, so every file holds events.</summary>
    public const long MinBytes = 1 << 20;

    /// <summary>`30s`, `10m`, `2h`, `1d`, or `64MB`, `1GB` (also KB, TB; 1024-based). Throws
    /// <see cref="FormatException"/> with a message for the user.</summary>
    public static RollPolicy Parse(string text)
    {
        string t = text.Trim();
        int split = 0;
        while (split < t.Length && (char.IsAsciiDigit(t[split]) || t[split] == '.')) split++;
        if (split == 0 || !double.TryParse(t[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || value <= 0)
            throw new FormatException($"{text}: expected a duration such as 10m or 2h, or a size such as 512MB or 1GB");
        string unit = t[split..].Trim().ToUpperInvariant();
        double? seconds = unit switch { "S" => 1, "M" or "MIN" => 60, "H" => 3600, "D" => 86400, _ => null };
        if (seconds is double s) return new RollPolicy { MaxDuration = TimeSpan.FromSeconds(value * s) };
        double? bytes = unit switch { "KB" => 1L << 10, "MB" => 1L << 20, "GB" => 1L << 30, "TB" => 1L << 40, _ => null };
        if (bytes is not double b)
            throw new FormatException($"{text}: unknown unit '{t[split..]}' (s, m, h, d for time; KB, MB, GB, TB for size)");
        long size = (long)Math.Min(value * b, long.MaxValue);
        if (size < MinBytes) throw new FormatException($"{text}: files of at least 1MB");
        return new RollPolicy { MaxBytes = size };
    }

    /// <summary>True when a file of <paramref name="bytes"/> that began <paramref name="elapsed"/> ago is done.</summary>
    public bool IsDue(long bytes, TimeSpan elapsed) =>
        (MaxBytes is long max && bytes >= max) || (MaxDuration is TimeSpan span && elapsed >= span);

    public override string ToString() =>
        MaxBytes is long b ? $"{b / (1 << 20)} MB per file" : MaxDuration is TimeSpan d ? $"{d} per file" : "one file";
}
