using HandleEtw.Core.Text;
using HandleEtw.Core.Triggers;
using HandleEtw.Etl.Ring;

namespace HandleEtw.Cli.Commands;

/// <summary>`record --ring SIZE [--trigger COND]… [--trigger-count N]`, checked together: one-line errors.</summary>
public sealed record RingChoice(long? Bytes, IReadOnlyList<TriggerSpec> Triggers, int Count)
{
    public static RingChoice Parse(string? size, IReadOnlyList<string> triggers, int? count, bool rolling, string? etl, string? output)
    {
        if (size is null)
        {
            if (triggers.Count > 0) throw new UserErrorException("--trigger needs --ring SIZE (the ring is what a trigger writes)");
            if (count is not null) throw new UserErrorException("--trigger-count needs --ring SIZE and --trigger");
            return new RingChoice(null, [], 1);
        }
        if (SizeText.TryParse(size) is not long bytes)
            throw new UserErrorException($"--ring {size}: expected {SizeText.Forms}");
        if (bytes < HistoryRing.MinBytes || bytes > HistoryRing.MaxBytes)
            throw new UserErrorException($"--ring {size}: between 1MB and 1GB (one array in memory)");
        if (rolling) throw new UserErrorException("give --ring or --roll, not both (a ring keeps the last stretch, a roll keeps everything)");
        if (etl is null && output is null)
            throw new UserErrorException("--ring needs --etl NAME.etl or -o DIR: where the captures go");
        if (count is int n && n < 1) throw new UserErrorException($"--trigger-count {n}: at least 1");
        if (count is not null && triggers.Count == 0) throw new UserErrorException("--trigger-count needs --trigger");
        var specs = new List<TriggerSpec>();
        foreach (string t in triggers)
        {
            try { specs.Add(TriggerSpec.Parse(t)); }
            catch (FormatException e) { throw new UserErrorException("--trigger " + e.Message); }
        }
        return new RingChoice(bytes, specs, count ?? 1);
    }
}
