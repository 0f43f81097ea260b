using System.Globalization;
using System.Text;
using HandleEtw.Core.Analysis.Compare;
using HandleEtw.Reports.Collect;

namespace HandleEtw.Reports.Html;

/// <summary>
/// `report --compare BEFORE AFTER`: one self-contained page (the report's style, script and charts) that says what the
/// text of `compare` says: the verdict table ranked worst news first, the matching used, lossy traces, and per listed
/// group a chart of its open handles before and after with its create stack.
/// </summary>
public static class CompareHtml
{
    public static string Render(ComparePage page)
    {
        CompareReport r = page.Report;
        string title = $"Handle comparison: {Path.GetFileName(r.Before.Source)} → {Path.GetFileName(r.After.Source)}";
        StringBuilder html = HtmlReport.Open(title);
        Summary(html, page);
        VerdictTable(html, page);
        Groups(html, page);
        FlatGroups(html, page.Flat);
        return HtmlReport.Close(html);
    }

    public static void WriteFile(string path, ComparePage page) =>
        File.WriteAllText(path, Render(page), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    private static void Summary(StringBuilder html, ComparePage page)
    {
        CompareReport r = page.Report;
        html.Append("<section id=\"summary\">\n");
        foreach (var (trace, side) in new[] { (r.Before, "before"), (r.After, "after") })
            if (trace.Lossy) html.Append($"<div class=\"alert lossy\" role=\"alert\">{HtmlReport.E(Capitalized(CompareText.LossyLine(side)))}</div>\n");
        html.Append("<table class=\"glance\">\n");
        Row(html, "Before", Trace(r.Before));
        Row(html, "After", Trace(r.After));
        Row(html, "Matching", HtmlReport.E(Capitalized(CompareText.MatchingLine(r.Matching))) + ".", cls: "matching");
        Row(html, "Verdicts", HtmlReport.E(CompareText.Counts(r)), cls: "verdict-counts");
        Row(html, "Report written", page.GeneratedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC");
        html.Append("</table>\n")
            .Append($"<p class=\"muted rule\">{HtmlReport.E(LeakComparison.Rule)} Growing follows the leaks rule: ")
            .Append(HtmlReport.E(Core.Analysis.LeakAnalysis.Rule)).Append("</p>\n</section>\n");
    }

    private static string Trace(ComparedTrace t) =>
        $"{HtmlReport.E(t.Source)} ({t.Seconds.ToString("0.###", CultureInfo.InvariantCulture)} s" +
        (t.Symbolized ? ", symbolized" : "") + (t.Lossy ? ", <span class=\"up\">lossy</span>" : "") + ")";

    private static void Row(StringBuilder html, string name, string value, string? cls = null) =>
        html.Append($"<tr{(cls is null ? "" : $" class=\"{cls}\"")}><th>{name}</th><td>{value}</td></tr>\n");

    private static void VerdictTable(StringBuilder html, ComparePage page)
    {
        html.Append("<section id=\"verdicts\">\n<h2>Verdicts</h2>\n");
        if (page.Listed.Count == 0)
            html.Append("<p class=\"ok\">No group grows in either trace.</p>\n");
        else
        {
            html.Append("<table class=\"verdicts\"><tr><th class=\"n\">#</th><th>Verdict</th><th>Process</th><th>Type</th>")
                .Append("<th>Matched</th><th>Before</th><th>After</th><th>Created at</th></tr>\n");
            for (int i = 0; i < page.Listed.Count; i++) VerdictRow(html, i + 1, page.Listed[i], link: true);
            html.Append("</table>\n");
        }
        if (page.More > 0)
            html.Append($"<p class=\"muted more-groups\">{HtmlReport.N(page.More)} more growing groups not listed (--top N lists more).</p>\n");
        html.Append("</section>\n");
    }

    private static void VerdictRow(StringBuilder html, int rank, ComparedGroup g, bool link)
    {
        string cls = g.Verdict switch
        {
            CompareVerdict.NewLeak or CompareVerdict.Worse or CompareVerdict.StillLeaking => "up",
            CompareVerdict.Fixed or CompareVerdict.Better => "down",
            _ => "",
        };
        string verdict = HtmlReport.E(CompareText.Name(g.Verdict)) + (g.Uncertain ? " <span class=\"uncertain\">(uncertain)</span>" : "");
        string number = link ? $"<a href=\"#group-{rank}\">{rank}</a>" : rank.ToString(CultureInfo.InvariantCulture);
        html.Append($"<tr class=\"group\"><td class=\"n\">{number}</td><td class=\"verdict {cls}\">{verdict}</td>")
            .Append($"<td>{HtmlReport.E(g.Process)}</td><td>{HtmlReport.E(g.Type)}</td><td>{HtmlReport.E(CompareText.How(g))}</td>")
            .Append($"<td>{HtmlReport.E(CompareText.Side(g.Before))}</td><td>{HtmlReport.E(CompareText.Side(g.After))}</td>")
            .Append($"<td><code>{HtmlReport.E(StackLabels.Caller(Stack(g)))}</code></td></tr>\n");
    }

    private static void Groups(StringBuilder html, ComparePage page)
    {
        if (page.Listed.Count == 0) return;
        html.Append("<section id=\"groups\">\n<h2>Open handles over time</h2>\n<p class=\"muted\">Each chart draws one group in ")
            .Append("both traces, each line on seconds from its own trace's start, so equal growth per minute draws equal slopes.</p>\n");
        for (int i = 0; i < page.Listed.Count; i++)
        {
            ComparedGroup g = page.Listed[i];
            html.Append($"<section class=\"group\" id=\"group-{i + 1}\">\n<h3>#{i + 1} {HtmlReport.E(CompareText.Name(g.Verdict).ToUpperInvariant())}")
                .Append(g.Uncertain ? " (uncertain)" : "")
                .Append($": {HtmlReport.E(g.Process)} {HtmlReport.E(g.Type)} ({HtmlReport.E(CompareText.How(g))})</h3>\n");
            SvgChart.Write(html, page.Charts[i]);
            Frames(html, g, open: i == 0);
            html.Append("</section>\n");
        }
        html.Append("</section>\n");
    }

    private static void FlatGroups(StringBuilder html, IReadOnlyList<ComparedGroup> flat)
    {
        if (flat.Count == 0) return;
        const int Shown = 100;
        html.Append($"<details class=\"flat-groups\"><summary>{HtmlReport.N(flat.Count)} flat groups (growing in neither trace)</summary>\n")
            .Append("<table class=\"verdicts\"><tr><th class=\"n\">#</th><th>Verdict</th><th>Process</th><th>Type</th>")
            .Append("<th>Matched</th><th>Before</th><th>After</th><th>Created at</th></tr>\n");
        for (int i = 0; i < Math.Min(Shown, flat.Count); i++) VerdictRow(html, i + 1, flat[i], link: false);
        html.Append("</table>\n");
        if (flat.Count > Shown) html.Append($"<p class=\"muted\">{HtmlReport.N(flat.Count - Shown)} more flat groups not listed.</p>\n");
        html.Append("</details>\n");
    }

    /// <summary>The group's create stack; both traces' when they print it differently (a rebuild matched by function).</summary>
    private static void Frames(StringBuilder html, ComparedGroup g, bool open)
    {
        if (g.Before is { } b && g.After is { } a && !b.Stack.SequenceEqual(a.Stack))
        {
            HtmlReport.Stack(html, a.Stack, open, "create stack after");
            HtmlReport.Stack(html, b.Stack, open, "create stack before");
        }
        else HtmlReport.Stack(html, Stack(g), open);
    }

    /// <summary>The frames named for a group: the after trace's (the build now running), else the before trace's.</summary>
    private static IReadOnlyList<string> Stack(ComparedGroup g) => (g.After ?? g.Before)!.Stack;

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
