using System.Globalization;
using System.Text.RegularExpressions;

namespace HandleEtw.Tests.Etl;

/// <summary>A perfview GeneralParsing baseline: `EVENT` lines (first 5 per name) and `COUNT` lines.</summary>
internal sealed partial class Baseline
{
    public List<BaselineEvent> Events { get; } = [];
    public Dictionary<string, long> Counts { get; } = [];

    public static Baseline Load(string path)
    {
        var baseline = new Baseline();
        foreach (string line in File.ReadLines(path))
        {
            Match count = CountLine().Match(line);
            if (count.Success)
            {
                baseline.Counts[count.Groups[1].Value] = long.Parse(count.Groups[2].Value, CultureInfo.InvariantCulture);
                continue;
            }
            Match ev = EventLine().Match(line);
            if (!ev.Success) continue;
            var fields = new Dictionary<string, string>();
            foreach (string part in ev.Groups[3].Value.Split("; ", StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=');
                if (eq > 0) fields.TryAdd(part[..eq], part[(eq + 1)..].TrimEnd(';'));
            }
            baseline.Events.Add(new BaselineEvent(
                double.Parse(ev.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture), ev.Groups[2].Value, fields));
        }
        return baseline;
    }

    [GeneratedRegex(@"^COUNT (.+):(\d+)$")]
    private static partial Regex CountLine();

    [GeneratedRegex(@"^EVENT ([\d,]+\.\d+): (.+?) (PID=.*)$")]
    private static partial Regex EventLine();
}

internal sealed record BaselineEvent(double RelativeMs, string Name, Dictionary<string, string> Fields)
{
    public long Number(string field) => long.Parse(Fields[field].Replace(",", ""), CultureInfo.InvariantCulture);
}
