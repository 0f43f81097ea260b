using System.Globalization;
using System.Text;
using HandleEtw.Core.Analysis;
using HandleEtw.Reports.Collect;

namespace HandleEtw.Reports.Html;

/// <summary>
/// Writes the report as one self-contained page: inline style, inline SVG charts, a small inline script, no reference
/// to anything outside the file. Every string from the trace goes through <see cref="HtmlText.Encode"/>.
/// </summary>
public static class HtmlReport
{
    /// <summary>Processes whose type tables show unfolded; the rest fold, so the leaks stay near the top of the page.</summary>
    public const int UnfoldedProcesses = ReportOptions.UnfoldedProcesses;

    public static string Render(ReportData data)
    {
        StringBuilder html = Open($"Handle report: {Path.GetFileName(data.Summary.Source)}");
        CoverageBanner(html, data.Coverage);
        VerdictSummary.Write(html, data);
        Glance(html, data.Summary, data.GeneratedUtc);
        html.Append("<h2 id=\"timeline\">Live handles over time</h2>\n");
        SvgChart.Write(html, data.Processes);
        html.Append("<h2 id=\"growth\">Growth by create stack</h2>\n");
        SvgChart.Write(html, data.Stacks);
        TypeSection.Write(html, data.Types, data.TypesLeftOut);
        LeakSection.Write(html, data.Leaks);
        if (data.GuiChart is { Series.Count: > 0 } gui)
        {
            html.Append("<h2 id=\"gui-timeline\">GDI and USER objects over time</h2>\n");
            SvgChart.Write(html, gui);
        }
        foreach (GuiObjects objects in data.Gui) GuiSection.Write(html, objects);
        DiffSection.Write(html, data.Diff, data.DiffHandlesShown);
        return Close(html);
    }

    /// <summary>The page up to its heading: inline style, the policy that nothing loads from elsewhere.</summary>
    internal static StringBuilder Open(string title)
    {
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append($"<meta http-equiv=\"Content-Security-Policy\" content=\"{PageAssets.ContentSecurityPolicy}\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append($"<title>{E(title)}</title>\n")
            .Append("<style>").Append(PageAssets.Style).Append("</style>\n</head>\n<body>\n")
            .Append($"<h1>{E(title)}</h1>\n");
        return html;
    }

    /// <summary>The facts line and the script, and the end of the page.</summary>
    internal static string Close(StringBuilder html) =>
        html.Append("<pre id=\"render-facts\"></pre>\n<script>").Append(PageAssets.Script).Append("</script>\n</body>\n</html>\n").ToString();

    public static void WriteFile(string path, ReportData data) =>
        File.WriteAllText(path, Render(data), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    /// <summary>The first thing on the page when the trace cannot answer: an empty result must not look like a clean one.</summary>
    private static void CoverageBanner(StringBuilder html, TraceCoverage coverage)
    {
        if (coverage.MissingEventsMessage() is { } none)
            html.Append("<div class=\"alert no-handle-events\" role=\"alert\"><strong>No handle events.</strong> ")
                .Append(E(Capitalized(none))).Append(".</div>\n");
        else if (coverage.MissingStacksMessage() is { } noStacks)
            html.Append("<div class=\"alert no-handle-stacks\" role=\"alert\"><strong>No stacks on handle events.</strong> ")
                .Append(E(Capitalized(noStacks))).Append(".</div>\n");
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static void Glance(StringBuilder html, TraceSummary s, DateTime generated)
    {
        html.Append("<table class=\"glance\">\n");
        Row(html, "Trace", E(s.Source));
        Row(html, "Host", E(s.Host ?? "unknown"));
        Row(html, "OS", E(s.Os));
        Row(html, "Time range", $"{Utc(s.StartUtc)} to {Utc(s.EndUtc)} UTC ({s.Seconds.ToString("0.###", CultureInfo.InvariantCulture)} s)");
        Row(html, "Processes", N(s.Processes));
        Row(html, "Handle events", N(s.HandleEvents), s.HandleEvents == 0);
        Row(html, "Lost events", N(s.EventsLost), s.EventsLost > 0);
        Row(html, "Lost buffers", N(s.BuffersLost), s.BuffersLost > 0);
        Row(html, "Damaged buffers", N(s.DamagedBuffers), s.DamagedBuffers > 0);
        Row(html, "Report written", $"{Utc(generated)} UTC");
        html.Append("</table>\n");
    }

    private static void Row(StringBuilder html, string name, string value, bool bad = false) =>
        html.Append($"<tr><th>{name}</th><td{(bad ? " class=\"up\"" : "")}>{value}</td></tr>\n");

    private static string Utc(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    internal static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    internal static string E(string? text) => HtmlText.Encode(text);

    /// <summary>Frames as preformatted text inside a details element (in the page, not built on click).</summary>
    internal static void Stack(StringBuilder html, IReadOnlyList<string> frames, bool open, string what = "create stack")
    {
        html.Append(open ? "<details open=\"open\">" : "<details>")
            .Append($"<summary>{E(what)} ({frames.Count} frames)</summary><pre>");
        html.Append(frames.Count == 0 ? "(no stack recorded)" : E(string.Join("\n", frames)));
        html.Append("</pre></details>\n");
    }
}

internal static class TypeSection
{
    public static void Write(StringBuilder html, IReadOnlyList<ProcessTypes> processes, ProcessesLeftOut leftOut)
    {
        html.Append("<h2 id=\"types\">Handle types per process</h2>\n<p class=\"muted\">Open handles by type at the start ")
            .Append("(after the handle rundown) and at the end, like <code>!handle 0 0</code>; processes running at the end, most handles first.</p>\n");
        if (processes.Count == 0) html.Append("<p>No process holds handles at the end of the trace.</p>\n");
        Tables(html, processes.Take(HtmlReport.UnfoldedProcesses));
        if (processes.Count > HtmlReport.UnfoldedProcesses)
        {
            html.Append($"<details class=\"more-processes\"><summary>{HtmlReport.N(processes.Count - HtmlReport.UnfoldedProcesses)} more processes</summary>\n");
            Tables(html, processes.Skip(HtmlReport.UnfoldedProcesses));
            html.Append("</details>\n");
        }
        if (leftOut.Processes > 0)
            html.Append($"<p class=\"processes-left-out\">{HtmlReport.N(leftOut.Processes)} more {(leftOut.Processes == 1 ? "process" : "processes")} ")
                .Append($"holding {HtmlReport.N(leftOut.Handles)} handles in all {(leftOut.Processes == 1 ? "is" : "are")} not listed: ")
                .Append($"the tables show the {HtmlReport.N(processes.Count)} processes with the most handles.</p>\n");
    }

    private static void Tables(StringBuilder html, IEnumerable<ProcessTypes> processes)
    {
        foreach (ProcessTypes p in processes)
        {
            html.Append($"<h3>{HtmlReport.E(p.Process)} (pid {p.Pid}): {HtmlReport.N(p.End)} handles {Change(p.Start, p.End)}</h3>\n")
                .Append("<table class=\"types\"><tr><th>Type</th><th class=\"n\">Start</th><th class=\"n\">End</th><th class=\"n\">Change</th></tr>\n");
            foreach (TypeChange t in p.Types)
                html.Append($"<tr><td>{HtmlReport.E(t.Type)}</td><td class=\"n\">{HtmlReport.N(t.Start)}</td>")
                    .Append($"<td class=\"n\">{HtmlReport.N(t.End)}</td><td class=\"n\">{Change(t.Start, t.End)}</td></tr>\n");
            html.Append("</table>\n");
        }
    }

    private static string Change(int start, int end)
    {
        int d = end - start;
        return d > 0 ? $"<span class=\"up\">+{HtmlReport.N(d)}</span>" : d < 0 ? $"<span class=\"down\">{HtmlReport.N(d)}</span>" : "±0";
    }
}

internal static class LeakSection
{
    public static void Write(StringBuilder html, LeakReport report)
    {
        html.Append("<section id=\"leaks\">\n<h2>Leaks</h2>\n<p class=\"muted\">Handles still open at the end, grouped by process, ")
            .Append("type and create stack; growing groups ranked by growth, held ones listed apart.</p>\n");
        if (report.Leaks.Count == 0 && report.Flat.Count == 0)
        {
            html.Append("<p class=\"ok\">No handles are open at the end in the processes shown.</p>\n</section>\n");
            return;
        }
        html.Append($"<p class=\"muted\">{HtmlReport.E(LeakAnalysis.Rule)}</p>\n");
        if (report.Leaks.Count == 0) html.Append("<p class=\"ok\">No group grew over the trace.</p>\n");
        else Groups(html, "ol class=\"leaks\"", "ol", report.Leaks, openFirst: true);
        LeftOut(html, report.LeaksLeftOut, "growing");
        if (report.Flat.Count == 0) { html.Append("</section>\n"); return; }
        html.Append("<h3>Held, not growing</h3>\n");
        Groups(html, "ul class=\"held\"", "ul", report.Flat, openFirst: false);
        LeftOut(html, report.FlatLeftOut, "held");
        html.Append("</section>\n");
    }

    internal static void LeftOut(StringBuilder html, int groups, string what)
    {
        if (groups > 0)
            html.Append($"<p class=\"groups-left-out\">{HtmlReport.N(groups)} more {what} {(groups == 1 ? "group is" : "groups are")} not listed ")
                .Append("(<code>--top</code> sets how many are).</p>\n");
    }

    internal static void Groups(StringBuilder html, string open, string close, IReadOnlyList<LeakEntry> groups, bool openFirst)
    {
        html.Append($"<{open}>\n");
        for (int i = 0; i < groups.Count; i++)
        {
            LeakEntry l = groups[i];
            string growth = l.Growing ? $"<span class=\"up\">growing {l.PerMinute.ToString("0.##", CultureInfo.InvariantCulture)}/min</span>" : HtmlReport.E(l.Reason);
            html.Append($"<li><strong>{HtmlReport.N(l.Outstanding)} × {HtmlReport.E(l.Type)}</strong> in {HtmlReport.E(l.Process)} (pid {l.Pid}), ")
                .Append($"{HtmlReport.N(l.Created)} created, {growth}\n");
            HtmlReport.Stack(html, l.Stack, open: openFirst && i == 0);
            html.Append("</li>\n");
        }
        html.Append($"</{close}>\n");
    }
}

/// <summary>GDI or USER objects: per owning process by type (as GetGuiResources counts them), then their leak groups.</summary>
internal static class GuiSection
{
    public static void Write(StringBuilder html, GuiObjects gui)
    {
        string id = gui.Kind.ToLowerInvariant();
        html.Append($"<section id=\"{id}\">\n<h2>{gui.Kind} objects</h2>\n<p class=\"muted\">{HtmlReport.N(gui.Events)} {gui.Kind} handle events; ")
            .Append("objects each process owns at the end, and the create stacks of those still open, ranked by the same growth rule as handles.</p>\n");
        if (gui.Live.Count == 0) html.Append($"<p>No process owns {gui.Kind} objects at the end of the trace.</p>\n");
        else
        {
            html.Append($"<table class=\"{id}-objects\"><tr><th>Process</th><th class=\"n\">Objects</th><th>By type</th></tr>\n");
            foreach (var p in gui.Live.Take(HtmlReport.UnfoldedProcesses * 2))
                html.Append($"<tr><td>{HtmlReport.E(p.Process)} ({p.Pid})</td><td class=\"n\">{HtmlReport.N(p.Total)}</td><td>")
                    .Append(HtmlReport.E(string.Join(", ", p.ByType.Select(t => $"{t.Type} {t.Count:N0}")))).Append("</td></tr>\n");
            html.Append("</table>\n");
            if (gui.Live.Count > HtmlReport.UnfoldedProcesses * 2)
                html.Append($"<p class=\"muted\">{HtmlReport.N(gui.Live.Count - HtmlReport.UnfoldedProcesses * 2)} more processes own {gui.Kind} objects.</p>\n");
        }
        if (gui.Leaks.Leaks.Count == 0) html.Append($"<p class=\"ok\">No {gui.Kind} create stack grew over the trace.</p>\n");
        else LeakSection.Groups(html, $"ol class=\"leaks {id}-leaks\"", "ol", gui.Leaks.Leaks, openFirst: true);
        LeakSection.LeftOut(html, gui.Leaks.LeaksLeftOut, "growing");
        if (gui.Leaks.Flat.Count > 0)
        {
            html.Append("<h3>Held, not growing</h3>\n");
            LeakSection.Groups(html, "ul class=\"held\"", "ul", gui.Leaks.Flat, openFirst: false);
        }
        html.Append("</section>\n");
    }
}

internal static class DiffSection
{
    public static void Write(StringBuilder html, DiffReport diff, int shown)
    {
        string f = diff.From.ToString("0.###", CultureInfo.InvariantCulture), t = diff.To.ToString("0.###", CultureInfo.InvariantCulture);
        html.Append($"<section id=\"diff\">\n<h3>Opened between {f} s and {t} s and still open (!htrace -diff)</h3>\n");
        if (diff.Handles.Count == 0) { html.Append("<p class=\"ok\">No handle opened in the window is still open.</p>\n</section>\n"); return; }
        html.Append($"<p>{HtmlReport.N(diff.Handles.Count)} handles in {HtmlReport.N(diff.Groups.Count)} groups.</p>\n")
            .Append("<table class=\"diff-groups\"><tr><th class=\"n\">Count</th><th>Type</th><th>Process</th><th>Stack</th></tr>\n");
        foreach (DiffGroup g in diff.Groups.Take(50))
            html.Append($"<tr><td class=\"n\">{HtmlReport.N(g.Count)}</td><td>{HtmlReport.E(g.Type)}</td>")
                .Append($"<td>{HtmlReport.E(g.Process)} ({g.Pid})</td><td>{HtmlReport.E(StackLabels.Caller(g.Stack))}</td></tr>\n");
        html.Append("</table>\n<ol class=\"diff-handles\">\n");
        foreach (DiffHandle h in diff.Handles.Take(shown))
        {
            html.Append($"<li>Handle 0x{h.Handle:x} - OPEN, {HtmlReport.E(h.Type)}{(h.Name is null ? "" : " " + HtmlReport.E(h.Name))}, ")
                .Append($"process {HtmlReport.E(h.Process)} ({h.Pid}), thread {h.Tid}, at {h.Time.ToString("0.######", CultureInfo.InvariantCulture)} s\n");
            HtmlReport.Stack(html, h.Stack, open: false);
            html.Append("</li>\n");
        }
        html.Append("</ol>\n");
        if (diff.Handles.Count > shown)
            html.Append($"<p class=\"muted\">{HtmlReport.N(diff.Handles.Count - shown)} more handles not listed one by one; the groups above count them.</p>\n");
        html.Append("</section>\n");
    }
}
