using HandleEtw.Core.Analysis.Compare;
using HandleEtw.Core.Records;

namespace HandleEtw.Core.Json;

// The JSON document of `handleetw compare BEFORE AFTER`. The header's lossy is either trace's, its damage the sum of
// both; each trace's own are under before/after.

public sealed record CompareJson(bool Lossy, DamageJson Damage, string Matching, string Rule, CompareTraceJson Before,
                                 CompareTraceJson After, IReadOnlyList<CompareGroupJson> Groups)
    : TraceDocument(Lossy, Damage)
{
    public static CompareJson Of(CompareReport r, TraceInfo before, TraceInfo after)
    {
        DamageJson b = DamageJson.Of(before), a = DamageJson.Of(after);
        DamageJson sum = b.Plus(a);
        return new CompareJson(r.Before.Lossy || r.After.Lossy, sum, CompareText.Name(r.Matching), LeakComparison.Rule,
            CompareTraceJson.Of(r.Before, b), CompareTraceJson.Of(r.After, a),
            r.Groups.Select(g => new CompareGroupJson(g.Process, g.Type, CompareText.Name(g.Verdict), g.Uncertain,
                g.MatchedBy is { } m ? CompareText.Name(m) : null, CompareSideJson.Of(g.Before), CompareSideJson.Of(g.After))).ToList());
    }
}

/// <param name="DurationSeconds">The trace's span (<see cref="Records.TraceSpan"/>), as `stats` gives it.</param>
/// <param name="Symbolized">Its stacks had function names (--symbols found symbols).</param>
public sealed record CompareTraceJson(string Source, double DurationSeconds, bool Lossy, bool Symbolized, DamageJson Damage)
{
    public static CompareTraceJson Of(ComparedTrace t, DamageJson damage) => new(t.Source, t.Seconds, t.Lossy, t.Symbolized, damage);
}

/// <param name="MatchedBy">`symbols`, `module+offset` or `signature`; null when the group is in one trace only.</param>
public sealed record CompareGroupJson(string Process, string Type, string Verdict, bool Uncertain, string? MatchedBy,
                                      CompareSideJson? Before, CompareSideJson? After);

/// <param name="Pids">The processes of that image holding the group (their counts add up).</param>
public sealed record CompareSideJson(IReadOnlyList<int> Pids, int Outstanding, int Opened, double PerMinute, bool Growing,
                                     string Reason, IReadOnlyList<string> Stack)
{
    public static CompareSideJson? Of(CompareSide? s) =>
        s is null ? null : new(s.Pids, s.Outstanding, s.Opened, s.PerMinute, s.Growing, s.Reason, s.Stack);
}
