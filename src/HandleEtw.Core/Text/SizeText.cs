using System.Globalization;
using System.Text.RegularExpressions;

namespace HandleEtw.Core.Text;

/// <summary>Byte sizes on the command line (record --roll, --ring): a decimal number and a 1024-based unit, `64KB`,
/// `512MB`, `1.5GB`, `1TB` (case-insensitive). A unit is required: a bare number says nothing about its scale.</summary>
public static partial class SizeText
{
    public const string Forms = "a size such as 64MB, 512MB or 1GB (KB, MB, GB, TB)";

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?|\.\d+)\s*(?<unit>KB|MB|GB|TB)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();

    /// <summary>The size in bytes, or null when the text is not one.</summary>
    public static long? TryParse(string text)
    {
        Match m = Pattern().Match(text.Trim());
        if (!m.Success) return null;
        double value = double.Parse(m.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        int shift = m.Groups["unit"].Value.ToUpperInvariant() switch { "KB" => 10, "MB" => 20, "GB" => 30, _ => 40 };
        return (long)Math.Min(value * (1L << shift), long.MaxValue);
    }

    /// <summary>`512 MB`, `1.5 GB`: for status lines and summaries.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
    };
}
