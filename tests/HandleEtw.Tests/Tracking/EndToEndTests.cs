using System.Text.Json;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Synthetic;

namespace HandleEtw.Tests.Tracking;

/// <summary>Synthetic .etl files through the reader, decoder, tracker and CLI, checked against the scenario's facts.</summary>
public class EndToEndTests
{
    private static JsonElement Json(params string[] args)
    {
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement;
    }

    [Fact]
    public void Diff_of_the_leakyhandles_sample_shows_fun4_on_top()
    {
        string sample = TestPaths.Sample;
        JsonElement top = Json("diff", sample, "--json").GetProperty("groups")[0];
        Assert.Equal("leakyhandles.exe", top.GetProperty("process").GetString());
        Assert.Contains("leakyhandles+0x1a2b", top.GetProperty("stack").EnumerateArray().Select(f => f.GetString()));
        var (_, text, _) = CliSmokeTests.Run("diff", sample);
        Assert.Contains("x Event in leakyhandles.exe", text.Split('\n')[2]);
        JsonElement leak = Json("leaks", sample, "--json", "--top", "1").GetProperty("leaks")[0];
        Assert.Contains("leakyhandles+0x1a2b", leak.GetProperty("stack").EnumerateArray().Select(f => f.GetString()));
        Assert.True(leak.GetProperty("per_minute").GetDouble() > 1);
    }

    public static TheoryData<string> Names() => new(
        "LeakyHandles", "ProcessExitsHoldingHandles", "DuplicateIntoOtherProcess", "DuplicateWithCloseSource",
        "HandleValueReuse", "LostClose", "NoRundown", "WithHandleRundown", "InheritedHandles", "KernelHandles",
        "DoubleClose", "HandOver", "FlatHolderAndLeaks", "InheritedAndKept", "PulledWithCloseSource");

    [Theory]
    [MemberData(nameof(Names))]
    public void Diff_lists_exactly_the_handles_the_scenario_left_open(string name)
    {
        TraceScript script = ScenarioTests.Build(name, 0);
        string path = Path.Combine(Path.GetTempPath(), $"handleetw-e2e-{name}-{Environment.ProcessId}.etl");
        script.WriteTo(path);
        try
        {
            var expected = script.Facts.OpenAtEnd.Where(h => h.Origin != "Rundown")
                .Select(h => (h.Pid, (long)h.Handle)).Order().ToList();
            var actual = Json("diff", path, "--json").GetProperty("handles").EnumerateArray()
                .Select(h => (h.GetProperty("pid").GetInt32(), h.GetProperty("handle").GetInt64())).Order().ToList();
            Assert.Equal(expected, actual);
            JsonElement misuse = Json("misuse", path, "--json").GetProperty("suspects");
            Assert.Equal(name == "DoubleClose", misuse.GetArrayLength() > 0);
        }
        finally { File.Delete(path); }
    }
}
