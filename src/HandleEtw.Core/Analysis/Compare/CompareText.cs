using System.Globalization;

namespace HandleEtw.Core.Analysis.Compare;

/// <summary>The text form of `compare`, and the names its verdicts and matchings have in text and JSON.</summary>
public static class CompareText
{
    public static string Name(CompareVerdict v) => v switch
    {
        CompareVerdict.NewLeak => "new leak",
        CompareVerdict.Worse => "worse",
        CompareVerdict.StillLeaking => "still leaking",
        CompareVerdict.Better => "better",
        CompareVerdict.Fixed => "fixed",
        _ => "flat",
    };

    public static string Name(StackMatch m) => m switch
    {
        StackMatch.Symbols => "symbols",
        StackMatch.ModuleOffset => "module+offset",
        _ => "signature",
    };

    /// <param name="top">Groups listed, flat ones only with <paramref name="all"/>; the counts line covers every group.</param>
    public static void Write(TextWriter w, CompareReport r, int top, bool all)
    {
        w.WriteLine($"before: {r.Before.Source} ({Number(r.Before.Seconds)} s)   after: {r.After.Source} ({Number(r.After.Seconds)} s)");
        w.WriteLine(MatchingLine(r.Matching));
        foreach (var (trace, name) in new[] { (r.Before, "before"), (r.After, "after") })
            if (trace.Lossy) w.WriteLine($"WARNING: {LossyLine(name)}");
        w.WriteLine("verdicts: " + Counts(r));
        int rank = 1;
        var shown = Listed(r, top, all);
        foreach (ComparedGroup g in shown)
        {
            w.WriteLine();
            w.WriteLine($"#{rank++} {Name(g.Verdict).ToUpperInvariant()}{(g.Uncertain ? " (uncertain)" : "")}: {g.Process} {g.Type} ({How(g)})");
            w.WriteLine($"    before: {Side(g.Before)}");
            w.WriteLine($"    after:  {Side(g.After)}");
            IReadOnlyList<string> stack = (g.After ?? g.Before)!.Stack;
            if (stack.Count == 0) w.WriteLine("    (no stack)");
            foreach (string f in stack) w.WriteLine("    " + f);
        }
        int flat = all ? 0 : r.Groups.Count(g => g.Verdict == CompareVerdict.Flat);
        int more = r.Groups.Count - flat - shown.Count;
        if (more > 0) w.WriteLine($"\n{more} more groups (--top N lists more)");
        if (flat > 0) w.WriteLine($"\n{flat} flat groups not listed (--all lists them)");
    }

    public static string MatchingLine(StackMatch matching) => matching == StackMatch.Symbols
        ? "stacks matched by symbols (module!function), then by user-frame signature"
        : "stacks matched by module+offset, then by user-frame signature (give --symbols to match across rebuilds by function)";

    public static string LossyLine(string side) => $"the {side} trace lost events or has damaged buffers; every verdict is uncertain.";

    /// <summary>`1 new leak, 0 worse, …`: every verdict with its count, in rank order.</summary>
    public static string Counts(CompareReport r) =>
        string.Join(", ", Enum.GetValues<CompareVerdict>().Select(v => $"{r.Groups.Count(g => g.Verdict == v)} {Name(v)}"));

    /// <summary>The groups listed, in rank order: the first <paramref name="top"/>, flat ones only with <paramref name="all"/>.</summary>
    public static IReadOnlyList<ComparedGroup> Listed(CompareReport r, int top, bool all) =>
        r.Groups.Where(g => all || g.Verdict != CompareVerdict.Flat).Take(top).ToList();

    /// <summary>`matched by symbols`, or which trace alone holds the group.</summary>
    public static string How(ComparedGroup g) =>
        g.MatchedBy is { } m ? $"matched by {Name(m)}" : g.Before is null ? "after only" : "before only";

    /// <summary>One side of a group: `60 outstanding of 60 opened, +60/min (pid 4242)`, or `none open`.</summary>
    public static string Side(CompareSide? s) => s is null ? "none open"
        : $"{s.Outstanding} outstanding of {s.Opened} opened, " +
          (s.Growing ? $"+{Number(s.PerMinute)}/min" : "flat") + $" (pid {string.Join(", ", s.Pids)})";

    private static string Number(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
