using System.Globalization;
using System.Text.Json;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Etl;

namespace HandleEtw.Tests.Clr;

/// <summary>`stats --methods` on a real .NET trace against TraceEvent's own decoding of it (the baseline beside it).</summary>
public class MethodStatsBaselineTests
{
    private static readonly string Etl = TestPaths.Corpus("perfview/net.4.5.2.x64.etl");
    private static readonly Baseline Expected = Baseline.Load(TestPaths.Corpus("perfview/net.4.5.2.x64.baseline.txt"));

    [Fact]
    public void Method_counts_match_the_baseline_and_pid_3676_has_its_methods()
    {
        JsonElement root = Methods();
        Assert.Equal(Expected.Counts["Microsoft-Windows-DotNETRuntime/Method/LoadVerbose"], root.GetProperty("method_loads").GetInt64());
        Assert.Equal(Expected.Counts["Microsoft-Windows-DotNETRuntime/Method/UnloadVerbose"], root.GetProperty("method_unloads").GetInt64());
        Assert.Equal(Expected.Counts["Microsoft-Windows-DotNETRuntimeRundown/Method/DCStopComplete"], root.GetProperty("end_rundowns_completed").GetInt64());
        JsonElement test = Process(root, 3676);
        Assert.Equal("Test.x64.exe", test.GetProperty("process").GetString());
        // The baseline's COUNT of 290 is the whole trace's: 288 by Test.x64 (pid 3676) and 2 by PerfView itself (pid
        // 3988); why those 2 are PerfView's: Two_loads_of_the_290_are_PerfViews_own_jit_not_the_test_programs.
        Assert.Equal(288, test.GetProperty("loaded").GetInt64());
        Assert.Equal(288, test.GetProperty("methods").GetInt64());
        Assert.Equal(2, Process(root, 3988).GetProperty("loaded").GetInt64());
        Assert.Equal(290, root.GetProperty("processes").EnumerateArray().Sum(p => p.GetProperty("loaded").GetInt64()));
        Assert.All(test.GetProperty("ranges").EnumerateArray(), r => Assert.Equal("load", r.GetProperty("source").GetString()));
    }

    [Fact]
    public void Every_sampled_method_load_has_the_baselines_start_size_and_names()
    {
        JsonElement test = Process(Methods(), 3676);
        var samples = Expected.Events.Where(e => e.Name == "Microsoft-Windows-DotNETRuntime/Method/LoadVerbose").ToList();
        Assert.Equal(5, samples.Count);
        var ranges = test.GetProperty("ranges").EnumerateArray().ToList();
        foreach (BaselineEvent sample in samples)
        {
            ulong start = ulong.Parse(sample.Fields["MethodStartAddress"].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            JsonElement range = Assert.Single(ranges, r => r.GetProperty("start").GetString() == $"0x{start:x}");
            Assert.Equal(sample.Number("MethodSize"), range.GetProperty("size").GetInt64());
            AssertSameText(sample.Fields["MethodNamespace"], range.GetProperty("namespace").GetString());
            AssertSameText(sample.Fields["MethodName"], range.GetProperty("name").GetString());
            AssertSameText(sample.Fields["MethodSignature"], range.GetProperty("signature").GetString());
            Assert.Equal(sample.Number("ReJITID"), range.GetProperty("rejit_id").GetInt64());
            Assert.Equal("mscorlib", range.GetProperty("module").GetString());
            Assert.Equal(sample.RelativeMs / 1000, range.GetProperty("load_time").GetDouble(), 2);
        }
    }

    [Fact]
    public void Text_listing_names_each_method_with_its_module()
    {
        var (code, output, error) = CliSmokeTests.Run("stats", Etl, "--methods");
        Assert.True(code == 0, error);
        Assert.Contains("pid 3676 (Test.x64.exe): 288 methods", output);
        Assert.Contains("0x000007f95eb10090  0x000279", output);
        Assert.Contains("mscorlib!System.AppDomain.SetupDomain", output);
        Assert.Contains("Test.x64!Test.Program.Main", output);
    }

    /// <summary>The baseline prints at most 20 characters of a string, then "...".</summary>
    private static void AssertSameText(string baseline, string? actual)
    {
        if (baseline.EndsWith("...", StringComparison.Ordinal)) Assert.StartsWith(baseline[..^3], actual);
        else Assert.Equal(baseline, actual);
    }

    private static JsonElement Methods()
    {
        var (code, output, error) = CliSmokeTests.Run("stats", Etl, "--methods", "--json");
        Assert.True(code == 0, error);
        JsonElement root = JsonDocument.Parse(output).RootElement.Clone();
        JsonDocumentTests.AssertContract(root);
        return root;
    }

    private static JsonElement Process(JsonElement root, int pid) =>
        root.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == pid);
}
