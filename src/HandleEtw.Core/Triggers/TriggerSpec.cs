using System.Globalization;
using System.Text.RegularExpressions;
using HandleEtw.Core.Text;

namespace HandleEtw.Core.Triggers;

/// <summary>What a trigger measures on the live handle tables.</summary>
public enum TriggerMetric
{
    /// <summary>Open handles of a process (`lsass:handles>50000`), or of all watched processes.</summary>
    Handles,
    /// <summary>Open handles of one object type (`Event>10000`, `lsass:Event>10000`).</summary>
    TypeHandles,
    /// <summary>Growth of one (process, type, create stack) group, sustained over a window (`growth>100/min`).</summary>
    Growth,
}

/// <summary>
/// One `record --trigger` condition: `[PROCESS:]handles>N`, `[PROCESS:]TYPE>N`, or `[PROCESS:]growth>N/min[,WINDOW]`
/// (rates per s, min or h; the window in the duration grammar, 10 minutes unless given). PROCESS is an image name
/// (`lsass` or `lsass.exe`); without it the condition looks at every watched process.
/// </summary>
public sealed partial record TriggerSpec(string Text, string? Process, TriggerMetric Metric, string? Type, double Threshold, TimeSpan Window)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(10);

    public const string Forms = "lsass:handles>50000, Event>10000, growth>100/min or growth>100/min,30m";

    [GeneratedRegex(@"^(?:(?<process>[^:>]+):)?(?<metric>[^:>]+)>(?<value>\d+(\.\d+)?)(?:/(?<per>s|min|m|h))?(?:,(?<window>.+))?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Parses one condition; throws <see cref="FormatException"/> with a message for the user.</summary>
    public static TriggerSpec Parse(string text)
    {
        Match m = Pattern().Match(text.Trim());
        if (!m.Success) throw new FormatException($"{text}: expected a condition such as {Forms}");
        string? process = m.Groups["process"].Success ? StripExe(m.Groups["process"].Value.Trim()) : null;
        string metric = m.Groups["metric"].Value.Trim();
        double value = double.Parse(m.Groups["value"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        bool growth = metric.Equals("growth", StringComparison.OrdinalIgnoreCase);
        if (growth != m.Groups["per"].Success)
            throw new FormatException(growth ? $"{text}: a growth needs a rate, e.g. growth>100/min"
                : $"{text}: only growth takes a rate (/s, /min, /h); a count is handles>N or TYPE>N");
        if (!growth && m.Groups["window"].Success) throw new FormatException($"{text}: only growth takes a window");
        if (!growth)
        {
            bool handles = metric.Equals("handles", StringComparison.OrdinalIgnoreCase);
            return new TriggerSpec(text, process, handles ? TriggerMetric.Handles : TriggerMetric.TypeHandles,
                handles ? null : metric, value, TimeSpan.Zero);
        }
        double perMinute = value * m.Groups["per"].Value switch { "s" => 60, "h" => 1.0 / 60, _ => 1 };
        TimeSpan window = DefaultWindow;
        if (m.Groups["window"].Success)
        {
            TimeSpan? parsed = DurationText.TryParse(m.Groups["window"].Value, out string? error);
            if (parsed is not { } w || w < TimeSpan.FromSeconds(8))
                throw new FormatException($"{text}: window {m.Groups["window"].Value}: {error ?? "at least 8 s"}");
            window = w;
        }
        if (perMinute <= 0) throw new FormatException($"{text}: the rate must be more than zero");
        return new TriggerSpec(text, process, TriggerMetric.Growth, null, perMinute, window);
    }

    /// <summary>Handles a growth trigger needs a group to gain over its window.</summary>
    public double GrowthNeeded => Threshold * Window.TotalMinutes;

    public bool Watches(string processName) =>
        Process is null || string.Equals(StripExe(processName), Process, StringComparison.OrdinalIgnoreCase);

    private static string StripExe(string name) =>
        name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
}
