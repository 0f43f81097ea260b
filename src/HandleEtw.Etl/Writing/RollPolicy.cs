using HandleEtw.Core.Text;

namespace HandleEtw.Etl.Writing;

/// <summary>When a rolled capture starts its next file: after a span of trace time (`10m`) or once the file holds
/// a size (`1GB`), whichever the policy names.</summary>
public sealed record RollPolicy
{
    public long? MaxBytes { get; init; }
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Smallest file size a roll accepts: a few buffers, so every file holds events.</summary>
    public const long MinBytes = 1 << 20;

    /// <summary>A duration with its unit (`30s`, `10m`, `2h`, `1d`: <see cref="DurationText"/>) or a size (`64MB`,
    /// `1GB`: <see cref="SizeText"/>). Throws <see cref="FormatException"/> with a message for the user.</summary>
    public static RollPolicy Parse(string text)
    {
        if (SizeText.TryParse(text) is long size)
        {
            if (size < MinBytes) throw new FormatException($"{text}: files of at least 1MB");
            return new RollPolicy { MaxBytes = size };
        }
        TimeSpan? span = DurationText.TryParse(text, out string? error, unitRequired: true);
        if (span is not { } duration)
            throw new FormatException(error!.StartsWith("unknown unit", StringComparison.Ordinal)
                ? $"{text}: {error}; or a size (KB, MB, GB, TB)"
                : $"{text}: expected a duration such as 10m or 2h, or {SizeText.Forms}");
        if (duration <= TimeSpan.Zero) throw new FormatException($"{text}: must be more than zero");
        return new RollPolicy { MaxDuration = duration };
    }

    /// <summary>True when a file of <paramref name="bytes"/> that began <paramref name="elapsed"/> ago is done.</summary>
    public bool IsDue(long bytes, TimeSpan elapsed) =>
        (MaxBytes is long max && bytes >= max) || (MaxDuration is TimeSpan span && elapsed >= span);

    public override string ToString() =>
        MaxBytes is long b ? $"{b / (1 << 20)} MB per file" : MaxDuration is TimeSpan d ? $"{d} per file" : "one file";
}
