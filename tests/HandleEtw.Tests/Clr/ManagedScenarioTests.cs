using System.Text.Json;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Clr;

/// <summary>.NET services' handle bugs in synthetic traces with JIT code in their stacks, read back through the CLI.</summary>
public class ManagedScenarioTests
{
    private const string Pool = "System.Data!System.Data.ProviderBase.DbConnectionPool";

    private static JsonElement Json(TraceScript script, params string[] command)
    {
        string etl = Path.Combine(Path.GetTempPath(), $"handleetw-clr-{Guid.NewGuid():N}.etl");
        try
        {
            script.WriteTo(etl);
            var (code, output, error) = CliSmokeTests.Run([command[0], etl, .. command[1..], "--json"]);
            Assert.True(code == 0, error);
            return JsonDocument.Parse(output).RootElement.Clone();
        }
        finally
        {
            File.Delete(etl);
        }
    }

    private static string[] Frames(JsonElement e) => e.GetProperty("stack").EnumerateArray().Select(f => f.GetString()!).ToArray();

    /// <summary>No frame is a bare address: images give module+offset, JIT code gives Module!Type.Method+offset.</summary>
    private static void AssertEveryFrameNamed(string[] frames)
    {
        Assert.NotEmpty(frames);
        Assert.All(frames, f => Assert.False(f.StartsWith("0x", StringComparison.Ordinal), $"unnamed frame {f}"));
    }

    [Fact]
    public void Misuse_finds_the_stale_close_of_the_pools_semaphore_with_managed_frames_named()
    {
        JsonElement suspect = Assert.Single(Json(HandleScenarios.ConnectionPool(), "misuse").GetProperty("suspects").EnumerateArray());
        Assert.Equal(HandleScenarios.W3wpPid, suspect.GetProperty("pid").GetInt32());
        Assert.Equal(0.95, suspect.GetProperty("confidence").GetDouble()); // the crossed close hit an Event, not a Semaphore
        string[] create = Frames(suspect.GetProperty("create"));
        string[] stale = Frames(suspect.GetProperty("stale_close"));
        string[] first = Frames(suspect.GetProperty("first_close"));
        string[] crossed = Frames(suspect.GetProperty("crossed_close"));
        foreach (string[] stack in new[] { create, stale, first, crossed }) AssertEveryFrameNamed(stack);
        Assert.Contains("mscorlib!System.Threading.Semaphore..ctor+0x2b", create);
        Assert.Contains($"{Pool}+PoolWaitHandles..ctor+0x2b", create);
        Assert.Contains($"{Pool}..ctor+0x2b", create);
        Assert.Contains("ReportSite!ReportSite.Cache.ReportCache.Dispose+0x2b", stale);
        Assert.Contains("ReportSite!ReportSite.Cache.ReportCache.Refresh+0x2b", first);
        Assert.Contains($"{Pool}.PutObject+0x2b", crossed);
    }

    [Fact]
    public void A_leak_through_jit_code_is_grouped_by_its_named_stack_in_leaks_and_diff()
    {
        const string Handler = "OrderService!OrderService.Handlers.OrderHandler.Process+0x2b";
        JsonElement leaks = Json(HandleScenarios.ManagedLeak(orders: 20), "leaks", "--top", "50");
        var groups = leaks.GetProperty("leaks").EnumerateArray().Concat(leaks.GetProperty("flat").EnumerateArray())
            .Where(g => g.GetProperty("pid").GetInt32() == HandleScenarios.OrderServicePid).ToList();
        // Before and after the re-JIT the method's code lies elsewhere: both stacks name it.
        var handler = groups.Where(g => Frames(g).Contains(Handler)).ToList();
        Assert.Equal(20, handler.Sum(g => g.GetProperty("outstanding").GetInt32()));
        Assert.All(groups, g => AssertEveryFrameNamed(Frames(g)));

        JsonElement diff = Json(HandleScenarios.ManagedLeak(orders: 20), "diff");
        var diffGroups = diff.GetProperty("groups").EnumerateArray()
            .Where(g => g.GetProperty("pid").GetInt32() == HandleScenarios.OrderServicePid).ToList();
        Assert.Equal(20, diffGroups.Where(g => Frames(g).Contains(Handler)).Sum(g => g.GetProperty("count").GetInt32()));
        Assert.All(diffGroups, g => AssertEveryFrameNamed(Frames(g)));
        // One stack (same addresses), two methods over time: diff keeps them apart.
        Assert.Single(diffGroups, g => Frames(g).Contains("OrderService!dynamicClass.Lambda_Create+0x2b"));
        Assert.Single(diffGroups, g => Frames(g).Contains("OrderService!dynamicClass.Lambda_Other+0x2b"));
    }

    [Fact]
    public void One_stack_that_named_two_methods_over_time_is_two_leak_groups_each_labelled_by_its_own_method()
    {
        const string Create = "OrderService!dynamicClass.Lambda_Create+0x2b", Other = "OrderService!dynamicClass.Lambda_Other+0x2b";
        const string Handler = "OrderService!OrderService.Handlers.OrderHandler.Process";
        // After the lambda's unload the handler leaks 5 more through the same (re-JIT'd) code: the unload changed
        // no name of its stack, so those stay in one group with the 10 leaked before it.
        TraceScript script = HandleScenarios.ManagedLeak(orders: 20);
        ScriptThread worker = script.Processes.Single(p => p.Pid == HandleScenarios.OrderServicePid).Threads[0];
        for (int i = 0; i < 5; i++)
            worker.Create("Event", ["kernelbase!CreateEventW", "mscorlib!System.Threading.EventWaitHandle..ctor", Handler,
                "clr!CallDescrWorkerInternal", .. TraceScript.ThreadBase]);
        JsonElement leaks = Json(script, "leaks", "--top", "50");
        var groups = leaks.GetProperty("leaks").EnumerateArray().Concat(leaks.GetProperty("flat").EnumerateArray())
            .Where(g => g.GetProperty("pid").GetInt32() == HandleScenarios.OrderServicePid).ToList();
        JsonElement created = Assert.Single(groups, g => Frames(g).Contains(Create));
        Assert.Equal((1, 1), (created.GetProperty("outstanding").GetInt32(), created.GetProperty("opened").GetInt32()));
        Assert.Equal(1, Assert.Single(groups, g => Frames(g).Contains(Other)).GetProperty("outstanding").GetInt32());
        Assert.Equal([10, 15], groups.Where(g => Frames(g).Contains(Handler + "+0x2b"))
            .Select(g => g.GetProperty("outstanding").GetInt32()).Order());
        // Group identity agrees between leaks and diff: the same (type, frames) groups with the same counts.
        JsonElement diff = Json(script, "diff");
        var diffGroups = diff.GetProperty("groups").EnumerateArray()
            .Where(g => g.GetProperty("pid").GetInt32() == HandleScenarios.OrderServicePid)
            .Select(g => (g.GetProperty("type").GetString(), string.Join(" ", Frames(g)), g.GetProperty("count").GetInt32()))
            .Order().ToList();
        var leakGroups = groups.Select(g => (g.GetProperty("type").GetString(), string.Join(" ", Frames(g)), g.GetProperty("outstanding").GetInt32()))
            .Order().ToList();
        Assert.Equal(diffGroups, leakGroups);
    }

    [Fact]
    public void An_unloaded_methods_range_reused_by_another_names_each_leak_by_the_method_there_at_the_time()
    {
        JsonElement diff = Json(HandleScenarios.ManagedLeak(orders: 4), "diff");
        var lambdas = diff.GetProperty("handles").EnumerateArray()
            .Select(h => Frames(h).FirstOrDefault(f => f.Contains("dynamicClass", StringComparison.Ordinal)))
            .Where(f => f is not null).ToList();
        Assert.Equal(["OrderService!dynamicClass.Lambda_Create+0x2b", "OrderService!dynamicClass.Lambda_Other+0x2b"], lambdas);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_event_version_names_the_frames(byte version)
    {
        var options = new ScriptOptions { ClrEventVersion = version };
        JsonElement suspect = Assert.Single(Json(HandleScenarios.ConnectionPool(options), "misuse").GetProperty("suspects").EnumerateArray());
        Assert.Contains("ReportSite!ReportSite.Cache.ReportCache.Dispose+0x2b", Frames(suspect.GetProperty("stale_close")));
        JsonElement methods = Json(HandleScenarios.ConnectionPool(options), "stats", "--methods");
        JsonElement w3wp = methods.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == HandleScenarios.W3wpPid);
        Assert.Equal(9, w3wp.GetProperty("loaded").GetInt32());
        Assert.Equal(9, w3wp.GetProperty("methods").GetInt32()); // the end rundown repeats what is known
        Assert.Equal(1, methods.GetProperty("end_rundowns_completed").GetInt32());
        Assert.Equal(version >= 2 ? 1UL : 0UL, w3wp.GetProperty("ranges").EnumerateArray().Max(r => r.GetProperty("rejit_id").GetUInt64()));
    }

    [Fact]
    public void Without_the_end_rundown_the_loads_alone_name_the_frames()
    {
        var options = new ScriptOptions { ClrRundownAtEnd = false };
        JsonElement suspect = Assert.Single(Json(HandleScenarios.ConnectionPool(options), "misuse").GetProperty("suspects").EnumerateArray());
        Assert.Contains($"{Pool}.PutObject+0x2b", Frames(suspect.GetProperty("crossed_close")));
    }
}
