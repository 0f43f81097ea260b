using System.Globalization;
using System.Text.RegularExpressions;

namespace HandleEtw.Cli.Commands;

/// <summary>
/// The one grammar for times and durations on the command line (--from, --to, record --duration, --snapshot-every):
/// a decimal number of seconds with an optional unit (`90`, `90s`, `1.5m`, `2h`, `500ms`), or, for instants, a full
/// ISO-8601 date and time (`2024-05-01T12:00:30Z`; no zone means UTC). Anything else (`00:00:30`, `12:00`, `1,5`,
/// `1e308`) is an error, so a typo never turns into a date or a number nobody meant.
/// </summary>
public static partial class TimeText
{
    /// <summary>Longer than any trace or recording (100 days): larger values are typos, not intentions.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(100);

    public const string DurationForms = "seconds with an optional unit: 90, 90s, 1.5m, 2h, 500ms";

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?|\.\d+)(?<unit>ms|s|m|min|h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?([Zz]|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();

    /// <summary>A duration in the unit grammar, or null (with the reason) when the text is not one.</summary>
    public static TimeSpan? TryParseDuration(string text, out string? error)
    {
        error = null;
        Match m = DurationPattern().Match(text.Trim());
        if (!m.Success)
        {
            error = $"expected {DurationForms}";
            return null;
        }
        double value = double.Parse(m.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        double seconds = m.Groups["unit"].Value switch
        {
            "ms" => value / 1000,
            "m" or "min" => value * 60,
            "h" => value * 3600,
            _ => value,
        };
        if (seconds > Longest.TotalSeconds)
        {
            error = $"longer than {Longest.TotalDays:0} days";
            return null;
        }
        return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }

    /// <summary>An option holding a positive duration in the unit grammar (record --duration, --snapshot-every).</summary>
    public static System.CommandLine.Option<TimeSpan?> DurationOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens[0].Value;
            TimeSpan? value = TryParseDuration(text, out string? error);
            if (value is null) result.AddError($"{name} {text}: {error}");
            else if (value <= TimeSpan.Zero) result.AddError($"{name} {text}: must be more than zero");
            return value;
        },
    };

    /// <summary>An instant: seconds from the trace start (relative) or an absolute UTC time; null when neither.</summary>
    public static TracePoint? TryParsePoint(string text, out string? error)
    {
        string trimmed = text.Trim();
        if (TryParseDuration(trimmed, out error) is { } offset) return new TracePoint(offset, null);
        if (InstantPattern().IsMatch(trimmed) && DateTime.TryParse(trimmed, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime utc))
        {
            error = null;
            return new TracePoint(null, utc);
        }
        error = $"expected {DurationForms} (from the trace start), or an ISO-8601 date and time such as 2024-05-01T12:00:30Z";
        return null;
    }
}

/// <summary>A point named on the command line: an offset from the trace start, or a UTC instant.</summary>
public sealed record TracePoint(TimeSpan? Offset, DateTime? Utc);
