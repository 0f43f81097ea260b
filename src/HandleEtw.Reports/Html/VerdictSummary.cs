using System.Globalization;
using System.Text;
using HandleEtw.Core.Analysis;
using HandleEtw.Reports.Collect;

namespace HandleEtw.Reports.Html;

/// <summary>
/// The verdict at the top of the page, before the charts: how many groups grow, the top one with its first frame
/// of the program itself, and what makes the counts doubtful (lost events, missing stacks).
/// </summary>
internal static class VerdictSummary
{
    public static void Write(StringBuilder html, ReportData data)
    {
        html.Append("<section id=\"summary\">\n");
        Loss(html, data.Summary);
        html.Append("<ul class=\"verdict\">\n");
        if (data.Coverage.NoHandleEvents) html.Append("<li class=\"up\">No verdict: the trace has no handle events.</li>\n");
        else Leaks(html, data.Leaks);
        if (data.Coverage.NoHandleStacks)
            html.Append("<li class=\"up\">No handle event has a stack: leak groups cannot be told apart by code path.</li>\n");
        html.Append("</ul>\n</section>\n");
    }

    private static void Loss(StringBuilder html, TraceSummary s)
    {
        if (!s.Lossy) return;
        html.Append("<div class=\"alert\" role=\"alert\">This trace is incomplete: ")
            .Append($"{HtmlReport.N(s.EventsLost)} events lost, {HtmlReport.N(s.BuffersLost)} buffers lost, ")
            .Append($"{HtmlReport.N(s.DamagedBuffers)} damaged buffers skipped ({HtmlReport.N(s.DamagedBytes)} bytes). ")
            .Append("Handles whose create or close was lost are missing or shown as open; treat counts as approximate.</div>\n");
    }

    private static void Leaks(StringBuilder html, LeakReport report)
    {
        if (report.Leaks.Count == 0)
        {
            html.Append($"<li class=\"ok\">No growing group{Held(report.Flat.Count)}.</li>\n");
            return;
        }
        LeakEntry top = report.Leaks[0];
        string groups = report.Leaks.Count == 1 ? "1 growing group" : $"{HtmlReport.N(report.Leaks.Count)} growing groups";
        html.Append($"<li class=\"up\"><strong>{groups}</strong>{Held(report.Flat.Count)}.</li>\n")
            .Append($"<li class=\"top-leak\">Top: <strong>{HtmlReport.N(top.Outstanding)} × {HtmlReport.E(top.Type)}</strong> ")
            .Append($"in {HtmlReport.E(top.Process)} (pid {top.Pid}), growing {top.PerMinute.ToString("0.##", CultureInfo.InvariantCulture)}/min, ")
            .Append($"created at <code>{HtmlReport.E(StackLabels.Caller(top.Stack))}</code> ")
            .Append("(<a href=\"#leaks\">details</a>)</li>\n");
    }

    private static string Held(int flat) => flat == 0 ? "" : $"; {HtmlReport.N(flat)} held, not growing";
}
