using HandleEtw.Cli;
using HandleEtw.Core.Records;
using HandleEtw.Core.Text;
using HandleEtw.Core.Tracking;
using HandleEtw.Core.Triggers;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Live;

/// <summary>`record --trigger` conditions: the grammar, and how they judge the live tables.</summary>
public class TriggerTests
{
    [Theory]
    [InlineData("lsass:handles>50000", "lsass", TriggerMetric.Handles, null, 50000.0, 0.0)]
    [InlineData("lsass.exe:handles>5", "lsass", TriggerMetric.Handles, null, 5.0, 0.0)]
    [InlineData("handles>10", null, TriggerMetric.Handles, null, 10.0, 0.0)]
    [InlineData("Event>10000", null, TriggerMetric.TypeHandles, "Event", 10000.0, 0.0)]
    [InlineData("svchost:ALPC Port>300", "svchost", TriggerMetric.TypeHandles, "ALPC Port", 300.0, 0.0)]
    [InlineData("growth>100/min", null, TriggerMetric.Growth, null, 100.0, 600.0)]
    [InlineData("growth>2/s,30m", null, TriggerMetric.Growth, null, 120.0, 1800.0)]
    [InlineData("w3wp:growth>600/h,1h", "w3wp", TriggerMetric.Growth, null, 10.0, 3600.0)]
    public void Conditions_name_a_process_a_measure_and_a_threshold(string text, string? process, TriggerMetric metric, string? type,
        double threshold, double windowSeconds)
    {
        TriggerSpec t = TriggerSpec.Parse(text);
        Assert.Equal((process, metric, type, threshold, windowSeconds), (t.Process, t.Metric, t.Type, t.Threshold, t.Window.TotalSeconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("handles")]
    [InlineData("handles<5")]
    [InlineData("growth>100")]          // a growth needs a rate
    [InlineData("Event>100/min")]       // a count takes none
    [InlineData("Event>5,10m")]
    [InlineData("growth>100/min,2s")]   // a window too short to judge
    [InlineData("growth>100/min,10 fortnights")]
    public void Anything_else_is_refused(string text) => Assert.Throws<FormatException>(() => TriggerSpec.Parse(text));

    [Theory]
    [InlineData(new[] { "record", "--ring", "10x", "--etl", "x.etl" }, "--ring 10x")]
    [InlineData(new[] { "record", "--ring", "64GB", "--etl", "x.etl" }, "between 1MB and 1GB")]
    [InlineData(new[] { "record", "--ring", "64MB" }, "--etl NAME.etl or -o DIR")]
    [InlineData(new[] { "record", "--trigger", "handles>5" }, "--trigger needs --ring")]
    [InlineData(new[] { "record", "--ring", "64MB", "--etl", "x.etl", "--trigger", "growth>5" }, "--trigger growth>5")]
    [InlineData(new[] { "record", "--ring", "64MB", "--etl", "x.etl", "--roll", "10m" }, "not both")]
    [InlineData(new[] { "record", "--ring", "64MB", "--etl", "x.etl", "--trigger-count", "2" }, "--trigger-count needs --trigger")]
    public void Bad_ring_options_are_one_line_and_exit_2(string[] args, string expected)
    {
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.Equal(ExitCodes.ArgumentError, code);
        Assert.Equal("", output);
        Assert.Contains(expected, Assert.Single(error.Trim().Split('\n')));
    }

    [Fact]
    public void Good_ring_options_reach_the_platform_check()
    {
        var (code, _, error) = CliSmokeTests.Run("record", "--ring", "256MB", "-o", "out", "--trigger", "lsass:handles>50000",
            "--trigger", "growth>100/min,15m", "--trigger-count", "2");
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(ExitCodes.NotSupported, code);
        Assert.Contains("needs Windows", error);
    }

    /// <summary>Counts fire once when they cross the threshold and again only after falling back below it.</summary>
    [Fact]
    public void A_count_fires_when_it_becomes_true_and_rearms_when_it_is_false_again()
    {
        var script = new TraceScript();
        ScriptThread main = HandleScenarios.AddLeakyHandlesProcess(script).Thread(5120);
        string[] stack = ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase];
        var handles = new List<uint>();
        foreach (int target in new[] { 8, 2, 9, 12, 1 })
        {
            while (handles.Count < target) handles.Add(main.Create("Event", stack));
            while (handles.Count > target) { main.Close(handles[^1], ["kernelbase!CloseHandle", "fun4", "main", .. TraceScript.ThreadBase]); handles.RemoveAt(handles.Count - 1); }
            script.Advance(TimeSpan.FromSeconds(5));
        }
        using EtlFileSource file = EtlFileSource.Open(new MemoryStream(script.ToBytes()), "s.etl", ownsStream: true);
        var tracker = new HandleTracker(file.Info);
        var watch = new TriggerWatch([TriggerSpec.Parse("leakyhandles:Event>5")], tracker);
        var fired = new List<double>();
        TracePipeline.Run(file, new CheckEachEvent(tracker, watch, t => fired.Add(file.Info.ToRelativeTicks(t) / 1e7)));
        Assert.Equal(2, fired.Count); // 8 (fires), 2 (re-arms), 9 (fires), 12 (still met), 1
        Assert.Equal(2, watch.Fired);
        Assert.Contains("met, fired 2×", watch.Status);
    }

    [Fact]
    public void A_budget_reads_as_a_duration_at_the_current_rate()
    {
        Assert.Equal("13.7 min", BudgetText.Lasts(256L << 20, 327_000));
        Assert.Equal("no events", BudgetText.Lasts(1 << 20, 0));
        Assert.Equal("4.2 d", BudgetText.Duration(4.2 * 86400));
        Assert.Equal(512L << 20, SizeText.TryParse("512MB"));
        Assert.Null(SizeText.TryParse("512"));
    }

    /// <summary>The tracker, then the trigger check after every handle event.</summary>
    private sealed class CheckEachEvent(HandleTracker tracker, TriggerWatch watch, Action<long> onFire) : HandleEtw.Core.Events.TraceConsumer
    {
        public override void OnHandle(in HandleEtw.Core.Events.HandleEvent e)
        {
            tracker.OnHandle(e);
            if (watch.Check(e.Timestamp) is { } f) onFire(f.Timestamp);
        }

        public override void OnProcess(in HandleEtw.Core.Events.ProcessEvent e) => tracker.OnProcess(e);
        public override void OnObjectType(long timestamp, ushort typeIndex, string name) => tracker.OnObjectType(timestamp, typeIndex, name);
        public override void OnEnd(long endTimestamp) => tracker.OnEnd(endTimestamp);
    }
}
