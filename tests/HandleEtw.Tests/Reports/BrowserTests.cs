using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using HandleEtw.Reports.Html;

namespace HandleEtw.Tests.Reports;

/// <summary>The report of the synthetic LeakyHandles trace, opened in headless Chromium.</summary>
public class BrowserTests
{
    [Fact]
    public void Leaky_report_renders_in_chromium_with_charts_and_fun4_first()
    {
        Assert.True(HeadlessChromium.Find() is not null,
            "headless Chromium is not installed: run scripts/ci-setup.sh (CI installs the Debian chromium package)");
        string dir = ArtifactDirectory();
        string page = Path.Combine(dir, "leakyhandles.html");
        HtmlReport.WriteFile(page, ReportFixtures.Build(ReportFixtures.LeakyEtl,
            new(ReportCommand().Info.FromRelativeSeconds(10), ReportCommand().Info.FromRelativeSeconds(40))));

        using JsonDocument json = RenderFacts(page);
        JsonElement charts = json.RootElement.GetProperty("charts");
        Assert.Equal(2, charts.GetArrayLength());
        foreach (JsonElement chart in charts.EnumerateArray())
        {
            string id = chart.GetProperty("id").GetString()!;
            Assert.True(chart.GetProperty("width").GetInt32() > 100, $"{id} has no width");
            Assert.True(chart.GetProperty("height").GetInt32() > 100, $"{id} has no height");
            Assert.True(chart.GetProperty("drawn").GetInt32() >= 1, $"{id} draws no line");
            Assert.True(chart.GetProperty("points").GetInt32() >= 100, $"{id} has too few points");
        }
        string firstStack = json.RootElement.GetProperty("firstLeakStack").GetString()!;
        Assert.Contains(ReportFixtures.LeakyFun4Frame, firstStack, StringComparison.OrdinalIgnoreCase);

        string png = Path.Combine(dir, "leakyhandles.png");
        File.Delete(png);
        HeadlessChromium.Result shot = HeadlessChromium.Screenshot(page, png, 1100, 1800);
        Assert.True(shot.ExitCode == 0, $"chromium exited with {shot.ExitCode}: {shot.Stderr}");
        Assert.Empty(shot.ConsoleLines);
        byte[] image = File.ReadAllBytes(png);
        Assert.True(image.Length > 10_000, "screenshot is nearly empty");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image[..4]);
    }

    [Fact]
    public void Compare_page_renders_in_chromium_with_one_chart_per_group_and_both_lines_drawn()
    {
        Assert.True(HeadlessChromium.Find() is not null,
            "headless Chromium is not installed: run scripts/ci-setup.sh (CI installs the Debian chromium package)");
        string dir = ArtifactDirectory();
        string before = Path.Combine(dir, "compare-before.etl"), after = Path.Combine(dir, "compare-after.etl");
        HandleEtw.Synthetic.Scenarios.HandleScenarios.LeakyHandlesBuild(new(), iterations: 60).WriteTo(before);
        HandleEtw.Synthetic.Scenarios.HandleScenarios.LeakyHandlesBuild(new(Fun5Leaks: true), iterations: 60).WriteTo(after);
        string page = Path.Combine(dir, "compare.html");
        CompareHtml.WriteFile(page, HandleEtw.Reports.Collect.CompareBuilder.Build(
            HandleEtw.Cli.Commands.CompareCommand.Side(before), HandleEtw.Cli.Commands.CompareCommand.Side(after), Core.Analysis.ProcessFilter.All, 20));

        using JsonDocument json = RenderFacts(page);
        var charts = json.RootElement.GetProperty("charts").EnumerateArray().ToList();
        Assert.Equal(["chart-group-1", "chart-group-2"], charts.Select(c => c.GetProperty("id").GetString()));
        Assert.All(charts, c => Assert.True(c.GetProperty("width").GetInt32() > 100 && c.GetProperty("height").GetInt32() > 100));
        Assert.Equal(1, charts[0].GetProperty("drawn").GetInt32()); // the new leak: after only
        Assert.Equal(2, charts[1].GetProperty("drawn").GetInt32()); // still leaking: before and after
    }

    /// <summary>The page opened in Chromium: no console output, and the facts line its script wrote.</summary>
    private static JsonDocument RenderFacts(string page)
    {
        HeadlessChromium.Result dom = HeadlessChromium.DumpDom(page);
        Assert.True(dom.ExitCode == 0, $"chromium exited with {dom.ExitCode}: {dom.Stderr}");
        Assert.Empty(dom.ConsoleLines);
        Match facts = Regex.Match(dom.Stdout, "<pre id=\"render-facts\">(.*?)</pre>", RegexOptions.Singleline);
        Assert.True(facts.Success && facts.Groups[1].Value.Length > 0, "the page script did not run");
        return JsonDocument.Parse(WebUtility.HtmlDecode(facts.Groups[1].Value));
    }

    private static HandleEtw.Reports.Collect.ReportInput ReportCommand() =>
        HandleEtw.Cli.Commands.ReportCommand.Open(ReportFixtures.LeakyEtl);

    /// <summary>TestResults/report beside the solution, kept after the run (CI collects TestResults).</summary>
    private static string ArtifactDirectory()
    {
        string dir = Path.Combine(TestPaths.RepoRoot, "TestResults", "report");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
