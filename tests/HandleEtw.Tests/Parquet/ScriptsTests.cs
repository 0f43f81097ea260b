using HandleEtw.Core.Events;
using HandleEtw.Parquet;

namespace HandleEtw.Tests.Parquet;

public class ScriptsTests
{
    private static string Script(string name) => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "scripts", name));

    private static TempDir WriteScenario(out ParquetScenario scenario) => WriteScenario(out scenario, out _);

    private static TempDir WriteScenario(out ParquetScenario scenario, out HandleEtw.Core.Tracking.HandleTracker tracker)
    {
        scenario = new ParquetScenario();
        var dir = new TempDir();
        tracker = new HandleEtw.Core.Tracking.HandleTracker(scenario.Info);
        using var writer = new ParquetTraceWriter(dir.Path, scenario.Info, scenario.Stacks, null, new TrackerLiveHandles(tracker));
        scenario.Push(new CompositeConsumer(tracker, writer));
        writer.Complete();
        return dir;
    }

    [Fact]
    public void Leaks_sql_gives_the_trackers_verdict_for_a_leak_that_stopped_early()
    {
        using var dir = WriteScenario(out var scenario, out var tracker);
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        var rows = db.Rows(Script("leaks.sql"));
        Assert.Single(rows); // the duplicate's target died with the other process, which exited
        var top = rows[0];
        Assert.Equal(ParquetScenario.LeakPid, Convert.ToInt32(top[0]));
        Assert.Equal(ParquetScenario.EventType, Convert.ToInt32(top[1]));
        Assert.Equal("Event", top[2]);
        Assert.Equal(scenario.LeakStack, Convert.ToInt32(top[3]));
        Assert.Equal((long)ParquetScenario.LeakCount, Convert.ToInt64(top[4]));
        // 30 handles opened from 1 s to 30 s of a 100 s trace, then nothing: held, not growing.
        var expected = Assert.Single(tracker.LeakGroupSummaries());
        Assert.Equal(scenario.LeakStack, expected.StackId);
        Assert.Equal((1.0, 30.0), (Convert.ToDouble(top[5]), Convert.ToDouble(top[6])));
        Assert.Equal((expected.FirstOpen, expected.LastOpen), (Convert.ToDouble(top[5]), Convert.ToDouble(top[6])));
        Assert.Equal(0.0, Convert.ToDouble(top[9]));
        Assert.False((bool)top[10]!);
        Assert.Equal(HandleEtw.Core.Tracking.GrowthRule.Early, top[11]);
        Assert.Equal(expected.Verdict.Reason, top[11]);
        Assert.Equal(3, Convert.ToInt32(top[12]));
    }

    [Fact]
    public void Diff_sql_counts_handles_opened_in_the_window_and_still_open()
    {
        using var dir = WriteScenario(out _);
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        // Window (10 s, 60 s]: leak creates at 11..30 s → 20 still open; the File handles are closed 0.1 s later.
        var rows = db.Rows(Script("diff.sql"));
        Assert.Single(rows);
        Assert.Equal(ParquetScenario.LeakPid, Convert.ToInt32(rows[0][0]));
        Assert.Equal(20L, Convert.ToInt64(rows[0][4]));
    }

    [Fact]
    public void Notebook_is_valid_nbformat_4_json()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Script("handles.ipynb"));
        Assert.Equal(4, doc.RootElement.GetProperty("nbformat").GetInt32());
        var cells = doc.RootElement.GetProperty("cells");
        Assert.True(cells.GetArrayLength() > 3);
        foreach (var cell in cells.EnumerateArray())
        {
            Assert.Contains(cell.GetProperty("cell_type").GetString(), new[] { "code", "markdown" });
            Assert.Equal(System.Text.Json.JsonValueKind.Array, cell.GetProperty("source").ValueKind);
        }
    }
}
