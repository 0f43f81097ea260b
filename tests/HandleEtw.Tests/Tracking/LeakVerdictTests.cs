using System.Text.Json;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Tracking;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Synthetic;

namespace HandleEtw.Tests.Tracking;

public class LeakVerdictTests
{
    private const long Second = 10_000_000;

    [Theory]
    [InlineData(2, 10, 590, GrowthRule.TooFew)]          // two handles are no evidence, however far apart
    [InlineData(200, 0, 1, GrowthRule.Early)]            // a startup set, kept
    [InlineData(50, 0, 290, GrowthRule.Early)]           // the last one still in the first half
    [InlineData(40, 560, 599, GrowthRule.Burst)]         // a recent burst (a pool in steady state)
    [InlineData(60, 10, 590, GrowthRule.Growing)]
    public void Rule_needs_a_count_a_late_open_and_a_span(int count, int firstSecond, int lastSecond, string reason)
    {
        GrowthVerdict v = GrowthRule.Judge(count, firstSecond * Second, lastSecond * Second, 0, 600 * Second, Second);
        Assert.Equal(reason, v.Reason);
        Assert.Equal(reason == GrowthRule.Growing, v.Growing);
        if (v.Growing) Assert.Equal((count - 1) * 60.0 / (lastSecond - firstSecond), v.PerMinute, 9);
        else Assert.Equal(0, v.PerMinute);
    }

    [Fact]
    public void Short_trace_needs_a_one_second_span()
    {
        // A 2 s trace: five handles over 0.8 s span more than a quarter of it, but less than a second.
        GrowthVerdict v = GrowthRule.Judge(5, Second / 5, Second, 0, 2 * Second, Second);
        Assert.Equal((false, GrowthRule.Burst), (v.Growing, v.Reason));
    }

    [Fact]
    public void One_handle_in_a_short_trace_is_flat_with_no_rate()
    {
        var s = new EventScript().Start(100, name: "one.exe").At(1).Create(100, 1, 0x40, 0xA, 1, 0x111).At(2);
        LeakReport r = LeakAnalysis.Build(s.Track(), s.Context(), ProcessFilter.All, top: 10);
        Assert.Empty(r.Leaks);
        LeakEntry e = Assert.Single(r.Flat);
        Assert.Equal((0.0, GrowthRule.TooFew, 1.0, 1.0), (e.PerMinute, e.Reason, e.FirstOpen, e.LastOpen));
    }

    [Fact]
    public void Window_starts_at_the_process_start()
    {
        // A process started at 100 s of a 160 s trace leaks from 101 s to 159 s: growing in its own life.
        var s = new EventScript().At(100).Start(100, name: "late.exe");
        for (int i = 0; i < 30; i++) s.At(101 + 2 * i).Create(100, 1, (uint)(0x40 + 4 * i), (ulong)i, 1, 0x111);
        s.At(160);
        LeakEntry e = Assert.Single(LeakAnalysis.Build(s.Track(), s.Context(), ProcessFilter.All, top: 10).Leaks);
        Assert.Equal(29 * 60.0 / 58, e.PerMinute, 3);
    }

    [Fact]
    public void Flat_holder_is_not_ranked_and_the_slow_leak_is()
    {
        string path = Path.Combine(Path.GetTempPath(), $"handleetw-verdict-{Environment.ProcessId}.etl");
        ScenarioTests.Build("FlatHolderAndLeaks", 2).WriteTo(path);
        try
        {
            var (code, output, error) = CliSmokeTests.Run("leaks", path, "--json");
            Assert.True(code == 0, error);
            JsonElement root = JsonDocument.Parse(output).RootElement;
            var leaks = root.GetProperty("leaks").EnumerateArray().ToList();
            Assert.Equal([HandleScenarios.LeakyPid, HandleScenarios.SlowPid], leaks.Select(l => l.GetProperty("pid").GetInt32()));
            Assert.InRange(leaks[0].GetProperty("per_minute").GetDouble(), 59, 61);
            Assert.InRange(leaks[1].GetProperty("per_minute").GetDouble(), 5.9, 6.1);
            Assert.All(leaks, l => Assert.True(l.GetProperty("growing").GetBoolean()));
            var flat = root.GetProperty("flat").EnumerateArray()
                .ToDictionary(l => l.GetProperty("pid").GetInt32(), l => l.GetProperty("reason").GetString());
            Assert.Equal(GrowthRule.Early, flat[HandleScenarios.HolderPid]);
            Assert.Equal(GrowthRule.Burst, flat[HandleScenarios.PoolPid]);
            Assert.Equal(GrowthRule.TooFew, flat[4900]);
            JsonElement holder = root.GetProperty("flat")[0];
            Assert.Equal((200, 200, 0.0), (holder.GetProperty("outstanding").GetInt32(), holder.GetProperty("opened").GetInt32(),
                holder.GetProperty("per_minute").GetDouble()));
            Assert.True(holder.GetProperty("last_open").GetDouble() < 2);

            var (_, text, _) = CliSmokeTests.Run("leaks", path, "--top", "5");
            string[] ranked = text.Split('\n').Where(l => l.StartsWith('#')).ToArray();
            Assert.Equal(2, ranked.Length);
            Assert.StartsWith("#1 leakyhandles.exe", ranked[0]);
            Assert.StartsWith("#2 slow.exe", ranked[1]);
            Assert.Contains("- svc.exe (pid 4600) Key: 200 outstanding of 200 opened", text);
        }
        finally { File.Delete(path); }
    }
}

public class LeakVerdictReportTests
{
    [Fact]
    public void Report_ranks_growing_groups_and_lists_the_flat_holder_apart()
    {
        string path = Path.Combine(Path.GetTempPath(), $"handleetw-verdict-report-{Environment.ProcessId}.etl");
        ScenarioTests.Build("FlatHolderAndLeaks", 0).WriteTo(path);
        try
        {
            var doc = HandleEtw.Tests.Reports.HtmlReportTests.ParseAsXml(HandleEtw.Tests.Reports.ReportFixtures.Html(path));
            var leaks = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "leaks");
            var ranked = leaks.Element("ol")!.Elements("li").Select(li => li.Value).ToList();
            Assert.Equal(2, ranked.Count);
            Assert.Contains("leakyhandles.exe", ranked[0]);
            Assert.Contains("slow.exe", ranked[1]);
            var held = leaks.Element("ul")!.Elements("li").Select(li => li.Value).ToList();
            Assert.Contains("svc.exe", held[0]);
            Assert.Contains(GrowthRule.Early, held[0]);
        }
        finally { File.Delete(path); }
    }
}
