using System.Buffers.Binary;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Reports.Collect;
using HandleEtw.Reports.Html;

namespace HandleEtw.Tests.Reports;

public class HtmlReportTests
{
    /// <summary>The page is written as XML-compatible HTML, so an XML parser proves it well-formed.</summary>
    internal static XDocument ParseAsXml(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>\n", html);
        return XDocument.Parse(html["<!DOCTYPE html>\n".Length..]);
    }

    [Fact]
    public void Report_of_leaky_trace_is_well_formed_and_ranks_fun4_first()
    {
        ReportData data = ReportFixtures.Build(ReportFixtures.LeakyEtl);
        XDocument doc = ParseAsXml(HtmlReport.Render(data));

        Assert.Contains(ReportFixtures.LeakyFun4Frame, data.Leaks.Leaks[0].Stack, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(200, data.Leaks.Leaks[0].Outstanding);
        XElement leaks = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "leaks");
        Assert.Equal("Leaks", leaks.Element("h2")!.Value);
        string firstStack = leaks.Descendants("li").First().Descendants("details").First().Element("pre")!.Value;
        Assert.Contains(ReportFixtures.LeakyFun4Frame, firstStack, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(doc.Descendants("div"), d => (string?)d.Attribute("role") == "alert");
    }

    [Fact]
    public void Summary_comes_before_the_charts_and_names_the_top_leak()
    {
        XDocument doc = ParseAsXml(ReportFixtures.Html(ReportFixtures.LeakyEtl));
        var body = doc.Root!.Element("body")!.Elements().ToList();
        int summary = body.FindIndex(e => (string?)e.Attribute("id") == "summary");
        int firstChart = body.FindIndex(e => e.Name == "svg");
        Assert.InRange(summary, 0, firstChart - 1);
        Assert.Equal("h1", body[0].Name.LocalName);
        Assert.Equal(1, summary);
        string text = body[summary].Value;
        Assert.Contains("1 growing group", text);
        string top = body[summary].Descendants("li").Single(li => (string?)li.Attribute("class") == "top-leak").Value;
        Assert.Contains("200 × Event in leakyhandles.exe (pid 4242)", top);
        Assert.Matches(@"growing 19\d(\.\d+)?/min", top); // 200 handles over 60 s
        Assert.Contains(ReportFixtures.LeakyFun4Frame, top, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Summary_follows_the_no_stacks_banner_and_warns_too()
    {
        string etl = Path.Combine(Path.GetDirectoryName(ReportFixtures.LeakyEtl)!, "nostacks.etl");
        HandleEtw.Synthetic.Scenarios.HandleScenarios.LeakyHandles(20, options: new() { Stacks = HandleEtw.Synthetic.Etl.StackMode.None }).WriteTo(etl);
        XDocument doc = ParseAsXml(ReportFixtures.Html(etl));
        var body = doc.Root!.Element("body")!.Elements().ToList();
        Assert.Contains("no-handle-stacks", (string?)body[1].Attribute("class"));
        Assert.Equal("summary", (string?)body[2].Attribute("id"));
        Assert.Contains("No handle event has a stack", body[2].Value);
    }

    [Fact]
    public void Chart_y_axes_are_labelled()
    {
        XDocument doc = ParseAsXml(ReportFixtures.Html(ReportFixtures.LeakyEtl));
        var charts = doc.Descendants("svg").ToList();
        Assert.Equal(2, charts.Count);
        Assert.All(charts, svg => Assert.Equal("open handles",
            svg.Descendants("text").Single(t => (string?)t.Attribute("class") == "y-label").Value));
    }

    [Fact]
    public void Leak_groups_past_the_cap_are_counted_on_the_page()
    {
        ReportData data = ReportFixtures.Build(ReportFixtures.ManyProcessesEtl);
        Assert.Equal(new ReportOptions().TopLeaks, data.Leaks.Flat.Count);
        Assert.True(data.Leaks.FlatLeftOut >= 30, $"{data.Leaks.FlatLeftOut} held groups left out"); // 50 services hold keys
        XDocument doc = ParseAsXml(HtmlReport.Render(data));
        XElement leftOut = doc.Descendants("p").Single(p => (string?)p.Attribute("class") == "groups-left-out");
        Assert.StartsWith($"{data.Leaks.FlatLeftOut} more held groups are not listed", leftOut.Value);
    }

    [Fact]
    public void With_many_processes_the_top_type_tables_show_and_the_rest_fold()
    {
        ReportData data = ReportFixtures.Build(ReportFixtures.ManyProcessesEtl);
        Assert.Equal(new ReportOptions().TypeProcesses, data.Types.Count);
        XDocument doc = ParseAsXml(HtmlReport.Render(data));
        var body = doc.Root!.Element("body")!.Elements().ToList();
        int types = body.FindIndex(e => (string?)e.Attribute("id") == "types");
        int leaks = body.FindIndex(e => (string?)e.Attribute("id") == "leaks");
        var shown = body.Skip(types).Take(leaks - types).Where(e => e.Name == "h3").Select(h => h.Value).ToList();
        Assert.Equal(HtmlReport.UnfoldedProcesses, shown.Count);
        Assert.StartsWith("leakyhandles.exe (pid 4242): 60 handles", shown[0]); // most handles first
        Assert.StartsWith("svc50.exe", shown[1]); // 52 keys
        XElement folded = body.Single(e => e.Name == "details" && (string?)e.Attribute("class") == "more-processes");
        Assert.InRange(body.IndexOf(folded), types, leaks);
        Assert.Null(folded.Attribute("open"));
        Assert.Equal($"{data.Types.Count - HtmlReport.UnfoldedProcesses} more processes", folded.Element("summary")!.Value);
        Assert.Equal(data.Types.Count - HtmlReport.UnfoldedProcesses, folded.Elements("h3").Count());
        // The 31 services past the cap (svc1..svc31, k + 2 keys each) are counted, not dropped in silence.
        Assert.Equal(new ProcessesLeftOut(31, Enumerable.Range(1, 31).Sum(k => k + 2)), data.TypesLeftOut);
        XElement leftOut = body.Single(e => (string?)e.Attribute("class") == "processes-left-out");
        Assert.InRange(body.IndexOf(leftOut), body.IndexOf(folded), leaks);
        Assert.StartsWith("31 more processes holding 558 handles in all are not listed", leftOut.Value);
        Assert.Contains("in leakyhandles.exe (pid 4242)",
            doc.Descendants("li").Single(li => (string?)li.Attribute("class") == "top-leak").Value);
    }

    [Fact]
    public void Charts_have_bounded_points_that_follow_the_leak()
    {
        ReportData data = ReportFixtures.Build(ReportFixtures.LeakyEtl, new ReportOptions { MaxSamples = 100 });
        Assert.InRange(data.Processes.Times.Count, 50, 100);
        ChartSeries leaky = Assert.Single(data.Processes.Series);
        Assert.Contains("leakyhandles.exe", leaky.Label);
        Assert.Equal(200, leaky.Values[^1]);
        ChartSeries stack = Assert.Single(data.Stacks.Series);
        Assert.Equal(200, stack.Values[^1]);
        Assert.InRange(stack.Values[data.Stacks.Times.Count / 2], 80, 120); // one per 0.3 s: half way is about 100
        for (int i = 1; i < stack.Values.Count; i++) Assert.True(stack.Values[i] >= stack.Values[i - 1]);
        Assert.True(data.Processes.Times.Zip(data.Processes.Times.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public void Diff_window_is_marked_on_both_charts()
    {
        var input = ReportCommand.Open(ReportFixtures.LeakyEtl);
        var options = new ReportOptions(input.Info.FromRelativeSeconds(10), input.Info.FromRelativeSeconds(40));
        ReportData data = ReportBuilder.Build(input, options);
        Assert.Equal(10, data.Processes.WindowFrom!.Value, 3);
        Assert.Equal(40, data.Stacks.WindowTo!.Value, 3);
        Assert.InRange(data.Diff.Handles.Count, 99, 101);
        XDocument doc = ParseAsXml(HtmlReport.Render(data));
        Assert.Equal(2, doc.Descendants("rect").Count(r => (string?)r.Attribute("class") == "window"));
    }

    [Fact]
    public void Page_references_nothing_outside_itself()
    {
        string html = ReportFixtures.Html(ReportFixtures.LeakyEtl);
        foreach (Match m in Regex.Matches(html, @"\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*[""']?([^""'\s>]*)", RegexOptions.IgnoreCase))
        {
            string target = m.Groups[1].Value;
            Assert.True(target.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || target.StartsWith('#'), $"external reference: {m.Value}");
        }
        Assert.DoesNotMatch(new Regex(@"https?:|ftp:|file:|//[a-z0-9.-]+/|@import|url\((?!\s*['""]?(data:|#))", RegexOptions.IgnoreCase), html);
        Assert.Contains("default-src 'none'", html);
    }

    [Fact]
    public void Lossy_trace_gets_a_red_alert_banner()
    {
        byte[] bytes = File.ReadAllBytes(ReportFixtures.LeakyEtl);
        int bufferSize = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        Assert.True(bytes.Length >= 3 * bufferSize, "the sample has a header buffer and at least two event buffers");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bufferSize * 2), 0); // BufferSize of the second event buffer
        string damaged = Path.Combine(Path.GetDirectoryName(ReportFixtures.LeakyEtl)!, "damaged.etl");
        File.WriteAllBytes(damaged, bytes);

        ReportData data = ReportFixtures.Build(damaged);
        Assert.True(data.Summary.Lossy);
        XDocument doc = ParseAsXml(HtmlReport.Render(data));
        XElement banner = doc.Descendants("div").Single(d => (string?)d.Attribute("role") == "alert");
        Assert.Contains("1 damaged buffers skipped", banner.Value);
        Assert.Contains("incomplete", banner.Value);
    }

    [Fact]
    public void Text_from_the_trace_is_escaped()
    {
        const string evil = "<script>alert('x')</script>&\"<img src=http://e/x>\u0001";
        ReportData clean = ReportFixtures.Build(ReportFixtures.LeakyEtl);
        var leak = clean.Leaks.Leaks[0] with { Process = evil, Type = evil, Stack = [evil, "ok+0x1"] };
        var data = clean with
        {
            Summary = clean.Summary with { Source = evil, Host = evil },
            Leaks = clean.Leaks with { Leaks = [leak] },
            Types = [new ProcessTypes(1, evil, 0, 1, [new TypeChange(evil, 0, 1)])],
            Processes = clean.Processes with { Series = [new ChartSeries(evil, evil, [1, 2])] },
        };
        string html = HtmlReport.Render(data);
        XDocument doc = ParseAsXml(html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.Single(doc.Descendants("script"));
        Assert.Contains("<script>alert('x')</script>&\"<img src=http://e/x>\uFFFD", doc.Descendants("pre").First(p => p.Value.Contains("ok+0x1")).Value);
    }

    [Fact]
    public void Report_size_stays_bounded_on_a_mixed_trace()
    {
        string etl = ReportFixtures.ScaleEtl(50_000);
        ReportData data;
        try { data = ReportFixtures.Build(etl); }
        finally { Directory.Delete(Path.GetDirectoryName(etl)!, recursive: true); }
        string html = HtmlReport.Render(data);
        Assert.True(html.Length < 5 * 1024 * 1024, $"report is {html.Length:N0} characters");
        Assert.True(data.Diff.Handles.Count > data.DiffHandlesShown, "the diff list is capped, the groups count the rest");
        Assert.All(new[] { data.Processes, data.Stacks }, c => Assert.InRange(c.Times.Count, 1, 500));
        Assert.Equal(8, data.Processes.Series.Count);
        ParseAsXml(html);
    }

    [Fact]
    public void Cli_writes_the_report_and_rejects_bad_input_in_one_line()
    {
        string output = Path.Combine(Path.GetDirectoryName(ReportFixtures.LeakyEtl)!, "cli.html");
        var (code, stdout, _) = Cli.CliSmokeTests.Run("report", ReportFixtures.LeakyEtl, "-o", output, "--from", "5");
        Assert.Equal(0, code);
        Assert.Contains("1 leak groups", stdout);
        ParseAsXml(File.ReadAllText(output));

        var (missing, _, error) = Cli.CliSmokeTests.Run("report", "/nonexistent/x.etl", "-o", output);
        Assert.NotEqual(0, missing);
        Assert.Single(error.Trim().Split('\n'));
        var (badTime, _, error2) = Cli.CliSmokeTests.Run("report", ReportFixtures.LeakyEtl, "-o", output, "--from", "soon");
        Assert.NotEqual(0, badTime);
        Assert.Contains("--from", error2);
    }
}
