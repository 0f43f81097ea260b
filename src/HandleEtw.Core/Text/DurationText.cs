using System.Globalization;
using System.Text.RegularExpressions;

namespace HandleEtw.Core.Text;

/// <summary>
/// The one duration grammar of the project (command-line times, record --roll, trigger windows): a decimal number
/// with an optional unit, `90`, `90s`, `1.5m`, `2min`, `2h`, `1d`, `500ms`; a bare number is seconds. Anything else
/// (`00:00:30`, `1,5`, `1e308`, `10 fortnights`) is refused, so a typo never turns into a value nobody meant.
/// </summary>
public static partial class DurationText
{
    /// <summary>Longer than any trace or recording (100 days): larger values are typos, not intentions.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(100);

    public const string Forms = "seconds with an optional unit: 90, 90s, 1.5m, 2h, 1d, 500ms";

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?|\.\d+)(?<unit>ms|s|m|min|h|d)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(\d+(\.\d+)?|\.\d+)\s*[A-Za-z]", RegexOptions.CultureInvariant)]
    private static partial Regex NumberThenWord();

    /// <summary>A duration, or null with the reason.</summary>
    /// <param name="unitRequired">True where a bare number would be ambiguous (a roll is a time or a size).</param>
    public static TimeSpan? TryParse(string text, out string? error, bool unitRequired = false)
    {
        error = null;
        string t = text.Trim();
        Match m = Pattern().Match(t);
        if (!m.Success || (unitRequired && !m.Groups["unit"].Success))
        {
            error = NumberThenWord().IsMatch(t) ? $"unknown unit in '{t}' (ms, s, m, min, h, d)" : $"expected {Forms}";
            return null;
        }
        double value = double.Parse(m.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        double seconds = value * m.Groups["unit"].Value switch
        {
            "ms" => 0.001,
            "m" or "min" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => 1,
        };
        if (seconds > Longest.TotalSeconds)
        {
            error = $"longer than {Longest.TotalDays:0} days";
            return null;
        }
        return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }
}
