using System.Globalization;
using System.Text.RegularExpressions;
using HandleEtw.Core.Text;

namespace HandleEtw.Cli.Commands;

/// <summary>
/// Times and durations on the command line (--from, --to, record --duration, --snapshot-every): a duration in the
/// project's one grammar (<see cref="DurationText"/>: `90`, `90s`, `1.5m`, `2h`, `500ms`), or, for instants, a full
/// ISO-8601 date and time (`2024-05-01T12:00:30Z`; no zone means UTC). Anything else (`00:00:30`, `12:00`, `1,5`,
/// `1e308`) is an error, so a typo never turns into a date or a number nobody meant.
/// </summary>
public static partial class TimeText
{
    public static TimeSpan Longest => DurationText.Longest;

    public const string DurationForms = DurationText.Forms;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?([Zz]|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();

    /// <summary>A duration in the unit grammar, or null (with the reason) when the text is not one.</summary>
    public static TimeSpan? TryParseDuration(string text, out string? error) => DurationText.TryParse(text, out error);

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
