using System.Text.Json;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Stacks;
using HandleEtw.Core.Tracking;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Tests.Cli;

/// <summary>`compare` on builds of the leakyhandles demo: the fix, a rebuild, a new leak, and recording dialects.</summary>
public sealed class CompareCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("handleetw-compare-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>What a PDB would answer for the script's modules: `module!function+0xOFF`.</summary>
    internal sealed class ScriptSymbols(TraceScript script) : IFrameSymbolizer
    {
        public string? Symbolize(ModuleIdentity module, ulong offset)
        {
            var m = script.Processes.SelectMany(p => p.Modules).Concat(script.KernelModules)
                .FirstOrDefault(x => string.Equals(x.Path, module.Path, StringComparison.OrdinalIgnoreCase));
            return m?.FunctionAt(offset) is { } f ? $"{Path.GetFileNameWithoutExtension(m.Name)}!{f.Name}+0x{f.Offset:x}" : null;
        }
    }

    private (string Path, TraceScript Script) Write(string name, LeakyBuild build, ScriptOptions? options = null)
    {
        TraceScript script = HandleScenarios.LeakyHandlesBuild(build, iterations: 60, options: options);
        string path = Path.Combine(_dir, name + ".etl");
        script.WriteTo(path);
        return (path, script);
    }

    private static JsonElement Compare((string Path, TraceScript Script) before, (string Path, TraceScript Script) after, bool symbols = false)
    {
        var output = new StringWriter();
        var args = new CompareCommand.Args(20, true, ProcessFilter.All, Json: true);
        Assert.Equal(0, CompareCommand.Execute(args,
            CompareCommand.Side(before.Path, symbols ? new ScriptSymbols(before.Script) : null),
            CompareCommand.Side(after.Path, symbols ? new ScriptSymbols(after.Script) : null), output));
        JsonElement root = JsonDocument.Parse(output.ToString()).RootElement;
        JsonDocumentTests.AssertContract(root);
        return root;
    }

    private static JsonElement[] Groups(JsonElement root, string verdict) =>
        root.GetProperty("groups").EnumerateArray().Where(g => g.GetProperty("verdict").GetString() == verdict).ToArray();

    [Fact]
    public void The_fix_is_fixed()
    {
        JsonElement root = Compare(Write("before", new LeakyBuild()), Write("after", new LeakyBuild(Fun4Closes: true)));
        JsonElement g = Assert.Single(root.GetProperty("groups").EnumerateArray());
        Assert.Equal("fixed", g.GetProperty("verdict").GetString());
        Assert.Equal(("leakyhandles.exe", "Event"), (g.GetProperty("process").GetString(), g.GetProperty("type").GetString()));
        Assert.Equal(60, g.GetProperty("before").GetProperty("outstanding").GetInt32());
        Assert.True(g.GetProperty("before").GetProperty("per_minute").GetDouble() > 50);
        Assert.Equal(JsonValueKind.Null, g.GetProperty("after").ValueKind);
        Assert.Equal(JsonValueKind.Null, g.GetProperty("matched_by").ValueKind);
        Assert.False(g.GetProperty("uncertain").GetBoolean());
    }

    [Fact]
    public void A_rebuild_that_moved_fun4_still_matches_by_symbols_and_still_leaks()
    {
        var before = Write("before", new LeakyBuild());
        var after = Write("rebuilt", new LeakyBuild(Fun4Rva: 0x1C00));
        JsonElement root = Compare(before, after, symbols: true);
        Assert.Equal("symbols", root.GetProperty("matching").GetString());
        JsonElement g = Assert.Single(root.GetProperty("groups").EnumerateArray());
        Assert.Equal(("still leaking", "symbols"), (g.GetProperty("verdict").GetString(), g.GetProperty("matched_by").GetString()));
        Assert.Contains("leakyhandles!fun4+0x2b", g.GetProperty("after").GetProperty("stack").EnumerateArray().Select(f => f.GetString()));

        // Without symbols the offsets differ; the user-frame signature still pairs the one fun4 group of each trace.
        JsonElement plain = Assert.Single(Compare(before, after).GetProperty("groups").EnumerateArray());
        Assert.Equal(("still leaking", "signature"), (plain.GetProperty("verdict").GetString(), plain.GetProperty("matched_by").GetString()));
    }

    [Fact]
    public void A_new_leak_is_a_new_leak_and_ranks_first()
    {
        JsonElement root = Compare(Write("before", new LeakyBuild()), Write("after", new LeakyBuild(Fun5Leaks: true)));
        JsonElement[] groups = root.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(2, groups.Length);
        Assert.Equal(("new leak", "Mutant"), (groups[0].GetProperty("verdict").GetString(), groups[0].GetProperty("type").GetString()));
        Assert.Equal(JsonValueKind.Null, groups[0].GetProperty("before").ValueKind);
        Assert.Equal(("still leaking", "module+offset"), (groups[1].GetProperty("verdict").GetString(), groups[1].GetProperty("matched_by").GetString()));
    }

    [Fact]
    public void A_leak_three_times_as_fast_is_worse_and_the_same_rate_over_twice_the_time_still_leaking()
    {
        var before = Write("before", new LeakyBuild());
        TraceScript fast = HandleScenarios.LeakyHandlesBuild(new LeakyBuild(), iterations: 180);
        TraceScript longer = HandleScenarios.LeakyHandlesBuild(new LeakyBuild(), iterations: 120, duration: TimeSpan.FromSeconds(120));
        foreach (var (script, verdict) in new[] { (fast, "worse"), (longer, "still leaking") })
        {
            string path = Path.Combine(_dir, verdict + ".etl");
            script.WriteTo(path);
            JsonElement g = Assert.Single(Compare(before, (path, script)).GetProperty("groups").EnumerateArray());
            Assert.Equal(verdict, g.GetProperty("verdict").GetString());
            Assert.InRange(g.GetProperty("before").GetProperty("per_minute").GetDouble(), 59.9, 60.1);
        }
    }

    [Fact]
    public void Recording_dialects_change_nothing()
    {
        var plain = Write("plain", new LeakyBuild(Fun5Leaks: true));
        var compressed = new EtlWriterOptions { Compress = true, BufferSize = 2048 };
        foreach (var (name, options) in new[]
                 {
                     ("compressed", new ScriptOptions { Writer = compressed }),
                     ("cached", new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 256 }),
                     // Two slots for four user stacks: every iteration evicts keys (KeyDelete) and reuses them.
                     ("evicting", new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 2 }),
                     ("compressed-evicting", new ScriptOptions { Writer = compressed, Stacks = StackMode.Cached, StackCacheSize = 2 }),
                 })
        {
            var dialect = Write(name, new LeakyBuild(Fun5Leaks: true), options);
            if (options.StackCacheSize == 2) Assert.True(dialect.Script.Facts.Records!.Hook(Hooks.StackKeyDelete) > 100, name);
            JsonElement root = Compare(plain, dialect);
            JsonElement[] groups = root.GetProperty("groups").EnumerateArray().ToArray();
            Assert.Equal(2, groups.Length);
            foreach (JsonElement g in groups)
            {
                Assert.Equal(("still leaking", "module+offset"), (g.GetProperty("verdict").GetString(), g.GetProperty("matched_by").GetString()));
                Assert.Equal(g.GetProperty("before").GetRawText(), g.GetProperty("after").GetRawText());
            }
        }
    }

    [Fact]
    public void An_etl_and_its_converted_directory_give_the_same_span_rates_and_verdicts()
    {
        // fun4 leaks from 0 to 59 s, then the trace idles to 130 s: in the second half of the trace nothing opens, so
        // the group is flat ("early"). Ending the Parquet replay at its last table row (59 s) would call it growing.
        TraceScript idle = HandleScenarios.LeakyHandlesBuild(new LeakyBuild(Fun5Leaks: true), iterations: 60);
        idle.Advance(TimeSpan.FromSeconds(70));
        string etl = Path.Combine(_dir, "idle.etl"), tables = Path.Combine(_dir, "idle-tables");
        idle.WriteTo(etl);
        var (code, _, error) = CliSmokeTests.Run("convert", etl, "-o", tables);
        Assert.True(code == 0, error);
        var leaky = Write("leaky", new LeakyBuild(Fun5Leaks: true));
        foreach (JsonElement root in new[] { Compare((etl, idle), (tables, idle)), Compare(leaky, (etl, idle)), Compare(leaky, (tables, idle)) })
            Assert.Equal(2, root.GetProperty("groups").GetArrayLength());

        JsonElement same = Compare((etl, idle), (tables, idle));
        Assert.Equal(same.GetProperty("before").GetProperty("duration_seconds").GetDouble(),
                     same.GetProperty("after").GetProperty("duration_seconds").GetDouble());
        Assert.InRange(same.GetProperty("before").GetProperty("duration_seconds").GetDouble(), 129.9, 130.1);
        foreach (JsonElement g in same.GetProperty("groups").EnumerateArray())
        {
            Assert.Equal(("flat", "module+offset"), (g.GetProperty("verdict").GetString(), g.GetProperty("matched_by").GetString()));
            Assert.Equal(GrowthRule.Early, g.GetProperty("before").GetProperty("reason").GetString());
            Assert.Equal(g.GetProperty("before").GetRawText(), g.GetProperty("after").GetRawText());
        }
        // Against a trace that leaks to its end, both forms of the idle trace are judged alike: fixed.
        string Verdicts(JsonElement root) => string.Join(",", root.GetProperty("groups").EnumerateArray().Select(g =>
            $"{g.GetProperty("verdict").GetString()}:{g.GetProperty("after").GetRawText()}"));
        Assert.Equal(Verdicts(Compare(leaky, (etl, idle))), Verdicts(Compare(leaky, (tables, idle))));
        Assert.StartsWith("fixed:", Verdicts(Compare(leaky, (tables, idle))));
    }

    [Fact]
    public void A_lossy_trace_makes_the_verdicts_uncertain_and_the_text_says_so()
    {
        var before = Write("before", new LeakyBuild());
        TraceScript lossy = HandleScenarios.LeakyHandlesBuild(new LeakyBuild(Fun4Closes: true), iterations: 60);
        lossy.LoseEvents();
        string path = Path.Combine(_dir, "lossy.etl");
        lossy.WriteTo(path);
        JsonElement root = Compare(before, (path, lossy));
        Assert.True(root.GetProperty("lossy").GetBoolean());
        Assert.True(root.GetProperty("after").GetProperty("lossy").GetBoolean());
        Assert.All(root.GetProperty("groups").EnumerateArray(), g => Assert.True(g.GetProperty("uncertain").GetBoolean()));
        var (code, text, _) = CliSmokeTests.Run("compare", before.Path, path);
        Assert.Equal(0, code);
        Assert.Contains("WARNING: the after trace", text);
        Assert.Contains("#1 FIXED (uncertain): leakyhandles.exe Event (before only)", text);
    }

    [Fact]
    public void Text_ranks_new_leaks_first_and_a_missing_trace_is_one_line()
    {
        var (code, text, _) = CliSmokeTests.Run("compare", Write("before", new LeakyBuild()).Path, Write("after", new LeakyBuild(Fun5Leaks: true)).Path);
        Assert.Equal(0, code);
        Assert.Contains("verdicts: 1 new leak, 0 worse, 1 still leaking, 0 better, 0 fixed, 0 flat", text);
        Assert.True(text.IndexOf("#1 NEW LEAK", StringComparison.Ordinal) < text.IndexOf("#2 STILL LEAKING", StringComparison.Ordinal), text);
        var (missing, output, error) = CliSmokeTests.Run("compare", "/nonexistent/a.etl", "/nonexistent/b.etl");
        Assert.NotEqual(0, missing);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData(true, 10, true, 25, "Worse")]
    [InlineData(true, 10, true, 20, "Worse")]
    [InlineData(true, 10, true, 19, "StillLeaking")]
    [InlineData(true, 10, true, 6, "StillLeaking")]
    [InlineData(true, 10, true, 5, "Better")]
    [InlineData(true, 10, false, 0, "Fixed")]
    [InlineData(false, 0, true, 1, "NewLeak")]
    [InlineData(false, 0, false, 0, "Flat")]
    public void Rates_within_a_factor_of_two_are_still_leaking(bool wasGrowing, double was, bool isGrowing, double now, string verdict)
    {
        static Core.Analysis.Compare.CompareSide Side(bool growing, double rate) => new(10, 10, rate, growing, "", [1], []);
        Assert.Equal(verdict, Core.Analysis.Compare.LeakComparison.Judge(Side(wasGrowing, was), Side(isGrowing, now)).ToString());
    }
}
