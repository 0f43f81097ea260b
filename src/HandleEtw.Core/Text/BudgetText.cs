using System.Globalization;

namespace HandleEtw.Core.Text;

/// <summary>How long a budget of bytes lasts at a rate, in words a status line can show (`13.8 min`, `5.2 h`).</summary>
public static class BudgetText
{
    /// <summary>Seconds <paramref name="bytes"/> last at <paramref name="bytesPerSecond"/>; null when nothing flows.</summary>
    public static double? Seconds(long bytes, double bytesPerSecond) =>
        bytesPerSecond > 0 ? bytes / bytesPerSecond : null;

    public static string Lasts(long bytes, double bytesPerSecond) =>
        Seconds(bytes, bytesPerSecond) is double s ? Duration(s) : "no events";

    public static string Duration(double seconds) => seconds switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s"),
        < 2 * 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#} min"),
        < 48 * 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0.#} d"),
    };

    public static string Rate(double bytesPerSecond) => SizeText.Format((long)bytesPerSecond) + "/s";
}
