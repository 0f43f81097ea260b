using System.Text.Json;
using HandleEtw.Core.Triggers;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Live;

/// <summary>`record --ring` with triggers on the replay source: simulated hours in seconds of test time.</summary>
public class RingRecorderTests
{
    private static readonly TimeSpan Churn = TimeSpan.FromHours(2), Total = TimeSpan.FromHours(3), Step = TimeSpan.FromSeconds(2);

    private static (RecordingResult Result, string Out, TraceScript Script, HandleEtw.Core.Records.TraceInfo Info) Record(string dir, RecordOptions options)
    {
        TraceScript script = HandleScenarios.LateLeak(Churn, Total, Step, new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 8 });
        var replay = SyntheticReplay.From(script);
        var stdout = new StringWriter();
        RecordingResult result;
        using (var source = replay.Source())
            result = new Recorder(options with { EtlPath = Path.Combine(dir, "ring.etl") }, new RecordingIo(stdout, new StringWriter(), ErrorIsTerminal: false))
                .Run(source, new EmptyInventory(replay.Info.StartTimestamp), new TargetFilter(null, []), null, CancellationToken.None);
        return (result, stdout.ToString(), script, replay.Info);
    }

    /// <summary>
    /// Two hours of churn, then a leak of 30 Events a minute for an hour. The growth trigger fires once (three were
    /// allowed), within ten minutes of its start; the capture written then holds the leak's group with every handle it had
    /// open at the trigger, though the 1 MB ring had long dropped the run's start.
    /// </summary>
    [Fact]
    public void A_leak_after_two_hours_of_churn_fires_the_growth_trigger_once_and_the_capture_holds_the_leak()
    {
        using var dir = new TempDir();
        var options = new RecordOptions { Ring = 1 << 20, Triggers = [TriggerSpec.Parse("growth>20/min,10m")], TriggerCount = 3 };
        var (result, output, script, info) = Record(dir.Path, options);

        TriggerFiring firing = Assert.Single(result.Firings);
        double at = info.ToRelativeTicks(firing.Timestamp) / 1e7;
        Assert.InRange(at, Churn.TotalSeconds + 400, Churn.TotalSeconds + 660); // 200 gained over the window, 25 in each quarter
        Assert.Equal(["trigger 1", "end of replay"], result.Captures.Select(c => c.Label));
        CaptureSummary capture = result.Captures[0];
        double windowEnd = info.ToRelativeTicks(capture.WindowEnd) / 1e7;
        Assert.Contains("trigger 1 of 3", output);

        int leakedAtTrigger = script.Facts.Handles.Count(h => h.CreateFunction == "fun4" && h.CreateTicks / 1e7 <= windowEnd);
        JsonElement leaks = Json("leaks", capture.EtlPath!);
        JsonElement leak = leaks.GetProperty("leaks").EnumerateArray().First();
        Assert.Equal("Event", leak.GetProperty("type").GetString());
        Assert.Equal(leakedAtTrigger, leak.GetProperty("outstanding").GetInt32());
        Assert.True(leak.GetProperty("growing").GetBoolean());
        string uncut = Path.Combine(dir.Path, "uncut.etl");
        script.WriteTo(uncut);
        JsonElement whole = Json("leaks", uncut).GetProperty("leaks").EnumerateArray().First();
        Assert.Equal(whole.GetProperty("stack").ToString(), leak.GetProperty("stack").ToString()); // fun4's create stack
        Assert.Equal(1, leaks.GetProperty("leaks").EnumerateArray().Count(l => l.GetProperty("growing").GetBoolean()));

        JsonElement stats = Json("stats", capture.EtlPath!);
        DateTime start = stats.GetProperty("start_utc").GetDateTime(), end = stats.GetProperty("end_utc").GetDateTime();
        Assert.InRange(info.ToRelativeTicks(capture.WindowStart) / 1e7, 1, Churn.TotalSeconds); // the ring dropped the run's start, not the leak's
        Assert.Equal(start, info.ToUtc(capture.WindowStart));
        Assert.True(end >= info.ToUtc(capture.WindowEnd));
    }

    /// <summary>
    /// No trigger: the ring is written at the end of the run. Its 1 MB window holds the last stretch only, yet the
    /// Parquet capture's live_handles holds all 1800 leaked Events, each with fun4's create stack, since the live table
    /// covers the whole run.
    /// </summary>
    [Fact]
    public void The_end_capture_keeps_handles_opened_before_its_window_with_their_create_stacks()
    {
        using var dir = new TempDir();
        string output = Path.Combine(dir.Path, "out");
        var (result, json, script, _) = Record(dir.Path, new RecordOptions { Ring = 1 << 20, OutputPath = output, Json = true });
        CaptureSummary capture = Assert.Single(result.Captures);
        Assert.Equal(Path.Combine(output, "capture1"), capture.ParquetDirectory);
        JsonElement written = Assert.Single(JsonDocument.Parse(json).RootElement.GetProperty("captures").EnumerateArray());
        Assert.Equal(("end of replay", capture.ParquetDirectory), (written.GetProperty("label").GetString(), written.GetProperty("parquet").GetString()));
        Assert.Equal(0, JsonDocument.Parse(json).RootElement.GetProperty("triggers").GetArrayLength());
        int leaked = script.Facts.LeaksFrom("fun4");

        using var db = new DuckDb();
        db.BindTables(capture.ParquetDirectory!);
        const string Fun4 = "(SELECT any_value(stack_id) FROM live_handles WHERE type_name = 'Event')";
        long inWindow = db.Count("SELECT count(*) FROM events e JOIN stacks s USING (stack_id) WHERE e.op = 0 AND s.frames = " +
                                 $"(SELECT frames FROM stacks WHERE stack_id = {Fun4})");
        Assert.InRange(inWindow, 1, leaked - 1);

        Assert.Equal(leaked, db.Count("SELECT count(*) FROM live_handles WHERE type_name = 'Event'"));
        Assert.Equal(leaked - inWindow, db.Count("SELECT count(*) FROM live_handles WHERE type_name = 'Event' AND create_time_ns < 0")); // times count from the window's start
        Assert.Equal(1, db.Count("SELECT count(DISTINCT stack_id) FROM live_handles WHERE type_name = 'Event'"));
        Assert.InRange(db.Count("SELECT min(s.depth) FROM live_handles l JOIN stacks s USING (stack_id) WHERE l.type_name = 'Event'"), 4, 64);
    }

    private static JsonElement Json(string command, string trace)
    {
        var (code, output, error) = CliSmokeTests.Run(command, "--json", trace);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement;
    }
}
