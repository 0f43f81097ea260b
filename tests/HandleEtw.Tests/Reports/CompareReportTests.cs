using System.Globalization;
using System.Xml.Linq;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Reports.Collect;
using HandleEtw.Reports.Html;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Reports;

/// <summary>`report --compare BEFORE AFTER` on builds of the leakyhandles demo.</summary>
public sealed class CompareReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("handleetw-compare-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (string Path, TraceScript Script) Write(string name, LeakyBuild build, int iterations = 60, TimeSpan? idle = null,
                                                    TimeSpan? duration = null)
    {
        TraceScript script = HandleScenarios.LeakyHandlesBuild(build, iterations, duration: duration);
        if (idle is { } tail) script.Advance(tail);
        string path = Path.Combine(_dir, name + ".etl");
        script.WriteTo(path);
        return (path, script);
    }

    private static ComparePage Page((string Path, TraceScript Script) before, (string Path, TraceScript Script) after, bool symbols = false) =>
        CompareBuilder.Build(
            CompareCommand.Side(before.Path, symbols ? new CompareCommandTests.ScriptSymbols(before.Script) : null),
            CompareCommand.Side(after.Path, symbols ? new CompareCommandTests.ScriptSymbols(after.Script) : null),
            ProcessFilter.All, top: 20);

    private static XDocument Html(ComparePage page) => HtmlReportTests.ParseAsXml(CompareHtml.Render(page));

    private static List<XElement> Rows(XDocument doc) =>
        doc.Descendants("table").First(t => (string?)t.Attribute("class") == "verdicts").Elements("tr").Skip(1).ToList();

    private static XElement GroupSection(XDocument doc, int rank) =>
        doc.Descendants("section").Single(s => (string?)s.Attribute("id") == $"group-{rank}");

    private static string Cell(XElement row, int column) => row.Elements("td").ElementAt(column).Value;

    /// <summary>A polyline's points as (x, y) pixels.</summary>
    private static List<(double X, double Y)> Points(XElement svg, int series)
    {
        string points = (string)svg.Descendants("polyline").Single(p => (string?)p.Attribute("data-series") == series.ToString(CultureInfo.InvariantCulture)).Attribute("points")!;
        return points.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(',')).Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();
    }

    [Fact]
    public void A_new_leak_ranks_first_and_each_group_charts_its_open_handles_in_both_traces()
    {
        ComparePage page = Page(Write("before", new LeakyBuild()), Write("after", new LeakyBuild(Fun5Leaks: true)));
        Assert.Equal(2, page.Listed.Count);
        ChartSeries[] mutant = page.Charts[0].Series.ToArray(), evt = page.Charts[1].Series.ToArray();
        Assert.Empty(mutant[0].Values); // no Mutant group before
        Assert.Equal(60, mutant[1].Values[^1]);
        Assert.Equal(60, evt[0].Values[^1]);
        Assert.Equal(60, evt[1].Values[^1]);
        Assert.All(new[] { mutant[1], evt[0], evt[1] }, s => Assert.True(s.Values.Zip(s.Values.Skip(1)).All(p => p.First <= p.Second)));
        Assert.InRange(evt[1].Values[evt[1].Values.Count / 2], 25, 35); // half way through, about half of them

        XDocument doc = Html(page);
        var rows = Rows(doc);
        Assert.Equal(["new leak", "still leaking"], rows.Select(r => Cell(r, 1)));
        Assert.Equal(["Mutant", "Event"], rows.Select(r => Cell(r, 3)));
        Assert.Equal(["after only", "matched by module+offset"], rows.Select(r => Cell(r, 4)));
        Assert.Equal("none open", Cell(rows[0], 5));
        Assert.StartsWith("60 outstanding of 60 opened, +60/min", Cell(rows[0], 6));
        Assert.Equal(HandleScenarios.AddLeakyHandlesProcess(new TraceScript()).FrameText("fun5"), Cell(rows[0], 7));
        Assert.Contains("module+offset", doc.Descendants("tr").Single(r => (string?)r.Attribute("class") == "matching").Value);
        Assert.Equal("1 new leak, 0 worse, 1 still leaking, 0 better, 0 fixed, 0 flat",
            doc.Descendants("tr").Single(r => (string?)r.Attribute("class") == "verdict-counts").Element("td")!.Value);

        var charts = doc.Descendants("svg").ToList();
        Assert.Equal(["chart-group-1", "chart-group-2"], charts.Select(c => (string?)c.Attribute("id")));
        Assert.Equal(2, charts[1].Descendants("polyline").Count(p => Points(p.Parent!, int.Parse((string)p.Attribute("data-series")!)).Count > 10));
        Assert.Equal("seconds from each trace's start", charts[0].Descendants("text").Single(t => (string?)t.Attribute("class") == "x-label").Value);
        var legend = doc.Descendants("ul").First(u => (string?)u.Attribute("data-chart") == "chart-group-1").Elements("li").Select(li => li.Value).ToList();
        Assert.Equal("before: none open at the end", legend[0]);
        Assert.StartsWith("after: 60 outstanding", legend[1]);
        var stacks = doc.Descendants("section").Where(s => (string?)s.Attribute("class") == "group").Select(s => s.Descendants("pre").Single().Value).ToList();
        Assert.Contains(ReportFixtures.LeakyFun4Frame, stacks[1]);
        Assert.DoesNotContain("alert", doc.Descendants("div").Select(d => (string?)d.Attribute("class") ?? ""));
    }

    [Fact]
    public void The_lines_share_one_time_axis_so_equal_rates_draw_equal_slopes()
    {
        // The same leak rate (one Event a second), traced for 60 s before and 120 s after: still leaking, and on the
        // chart the before line ends half way along the axis at half the height of the after line.
        ComparePage page = Page(Write("short", new LeakyBuild(), iterations: 60),
                                Write("long", new LeakyBuild(), iterations: 120, duration: TimeSpan.FromSeconds(120)));
        Assert.Equal("still leaking", Core.Analysis.Compare.CompareText.Name(Assert.Single(page.Listed).Verdict));
        XElement svg = Html(page).Descendants("svg").Single();
        var before = Points(svg, 0);
        var after = Points(svg, 1);
        double left = after.Min(p => p.X), bottom = 16 + 264; // SvgChart's plot area
        double xRatio = (before[^1].X - left) / (after[^1].X - left), yRatio = (bottom - before[^1].Y) / (bottom - after[^1].Y);
        Assert.InRange(xRatio, 0.45, 0.55);
        Assert.InRange(yRatio, 0.45, 0.55);
    }

    [Fact]
    public void A_fix_charts_the_before_line_and_a_rebuild_matched_by_symbols_shows_both_stacks()
    {
        var before = Write("before", new LeakyBuild());
        ComparePage fixedPage = Page(before, Write("fixed", new LeakyBuild(Fun4Closes: true)));
        XDocument doc = Html(fixedPage);
        XElement row = Assert.Single(Rows(doc));
        Assert.Equal(("fixed", "before only", "none open"), (Cell(row, 1), Cell(row, 4), Cell(row, 6)));
        Assert.Equal(60, fixedPage.Charts.Single().Series[0].Values[^1]);

        // By symbols the rebuild prints the same frames (offsets into fun4); by signature, each trace its own offsets.
        var rebuilt = Write("rebuilt", new LeakyBuild(Fun4Rva: 0x1C00));
        XDocument symbols = Html(Page(before, rebuilt, symbols: true));
        Assert.Equal(("still leaking", "matched by symbols"), (Cell(Rows(symbols)[0], 1), Cell(Rows(symbols)[0], 4)));
        Assert.Contains("symbols (module!function)", symbols.Descendants("tr").Single(r => (string?)r.Attribute("class") == "matching").Value);
        Assert.Contains("leakyhandles!fun4+0x2b", GroupSection(symbols, 1).Descendants("pre").Single().Value);
        XDocument plain = Html(Page(before, rebuilt));
        Assert.Equal("matched by signature", Cell(Rows(plain)[0], 4));
        var stacks = GroupSection(plain, 1).Descendants("details").ToList();
        Assert.Equal(2, stacks.Count);
        Assert.StartsWith("create stack after", stacks[0].Element("summary")!.Value);
        Assert.StartsWith("create stack before", stacks[1].Element("summary")!.Value);
        Assert.NotEqual(stacks[0].Element("pre")!.Value, stacks[1].Element("pre")!.Value);
    }

    [Fact]
    public void A_lossy_trace_is_flagged_and_every_verdict_uncertain()
    {
        var before = Write("before", new LeakyBuild());
        TraceScript lossy = HandleScenarios.LeakyHandlesBuild(new LeakyBuild(Fun5Leaks: true), iterations: 60);
        lossy.LoseEvents();
        string path = Path.Combine(_dir, "lossy.etl");
        lossy.WriteTo(path);
        XDocument doc = Html(Page(before, (path, lossy)));
        XElement alert = doc.Descendants("div").Single(d => (string?)d.Attribute("class") == "alert lossy");
        Assert.Contains("after trace lost events", alert.Value);
        Assert.All(Rows(doc), r => Assert.EndsWith("(uncertain)", Cell(r, 1)));
        Assert.All(doc.Descendants("h3"), h => Assert.Contains("(uncertain)", h.Value));
    }

    [Fact]
    public void Flat_groups_fold_into_a_table_without_charts()
    {
        // Both traces leak for 60 s and then idle 70 s: the groups are held, not growing, in both.
        var idle = Write("idle", new LeakyBuild(), idle: TimeSpan.FromSeconds(70));
        ComparePage page = Page(idle, idle);
        Assert.Empty(page.Listed);
        XDocument doc = Html(page);
        Assert.Empty(doc.Descendants("svg"));
        Assert.Equal("No group grows in either trace.", doc.Descendants("p").Single(p => (string?)p.Attribute("class") == "ok").Value);
        XElement folded = doc.Descendants("details").Single(d => (string?)d.Attribute("class") == "flat-groups");
        Assert.StartsWith("1 flat groups", folded.Element("summary")!.Value);
        Assert.Equal("flat", Cell(folded.Descendants("tr").Skip(1).Single(), 1));
    }

    [Fact]
    public void The_command_writes_the_page_and_refuses_a_wrong_shape_in_one_line()
    {
        string before = Write("before", new LeakyBuild()).Path, after = Write("after", new LeakyBuild(Fun5Leaks: true)).Path;
        string page = Path.Combine(_dir, "page.html");
        var (code, output, error) = CliSmokeTests.Run("report", "--compare", before, after, "-o", page);
        Assert.True(code == 0, error);
        Assert.Equal($"{page}: 1 new leak, 0 worse, 1 still leaking, 0 better, 0 fixed, 0 flat", output.Trim());
        Assert.Equal(2, HtmlReportTests.ParseAsXml(File.ReadAllText(page)).Descendants("svg").Count());

        Assert.Equal(0, CliSmokeTests.Run("report", "--compare", before, after).Code);
        Assert.True(File.Exists(after + ".compare.html"));

        // A Parquet directory of the after trace draws the same page: the same verdicts, the same lines.
        string tables = Path.Combine(_dir, "after-tables"), fromTables = Path.Combine(_dir, "tables.html");
        Assert.Equal(0, CliSmokeTests.Run("convert", after, "-o", tables).Code);
        var (tablesCode, tablesOutput, _) = CliSmokeTests.Run("report", "--compare", before, tables, "-o", fromTables);
        Assert.Equal((0, output.Replace(page, fromTables)), (tablesCode, tablesOutput));
        string Lines(string file) => string.Join("\n", HtmlReportTests.ParseAsXml(File.ReadAllText(file)).Descendants("polyline")
            .Select(p => (string?)p.Attribute("points")));
        Assert.Equal(Lines(page), Lines(fromTables));
        foreach (string[] wrong in new[]
                 {
                     new[] { "report", "--compare", before },
                     ["report", "--compare", before, after, after],
                     ["report", "--compare", before, after, "--pid", "4242"],
                     ["report", "--compare", before, after, "--from", "10"],
                     ["report", "--compare", before, after, "-o", Path.Combine(_dir, "no", "such", "page.html")],
                 })
        {
            var (refused, _, message) = CliSmokeTests.Run(wrong);
            Assert.Equal(2, refused);
            Assert.Single(message.Trim().Split('\n'));
        }
    }
}
