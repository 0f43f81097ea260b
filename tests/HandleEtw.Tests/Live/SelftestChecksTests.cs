using HandleEtw.Core.Records;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Live;

/// <summary>The selftest's checks on a replayed recording of a child that opens 10 Events and closes 4.</summary>
public class SelftestChecksTests
{
    private const int Child = HandleScenarios.LeakyPid;
    private static readonly string[] CreateStack = ["kernelbase!CreateEventW", "main", .. TraceScript.ThreadBase];

    private sealed class EmptyInventory : IInventoryProvider
    {
        public HandleInventory Take() => HandleInventory.Empty;
    }

    private static (SyntheticReplay Replay, SelftestExpectation Child) Script(SyntheticReplay.RecordFilter? drop = null)
    {
        var script = new TraceScript();
        ScriptThread main = HandleScenarios.AddLeakyHandlesProcess(script).Thread(5120);
        ScriptThread other = script.AddProcess(4300, "worker.exe").Thread(5200);
        List<uint> handles = Enumerable.Range(0, 10).Select(_ => main.Create("Event", CreateStack)).ToList();
        other.Create("Event");
        foreach (uint h in handles.Take(4)) main.Close(h, CreateStack);
        return (SyntheticReplay.From(script, drop), new SelftestExpectation(Child, handles.Skip(4).ToList(), handles.Take(4).ToList()));
    }

    private static (RecordingResult Result, HandleEventBuffer Events) Record(SyntheticReplay replay)
    {
        var events = new HandleEventBuffer();
        var recorder = new Recorder(new RecordOptions(), new RecordingIo(new StringWriter(), new StringWriter(), ErrorIsTerminal: false));
        using var source = replay.Source();
        return (recorder.Run(source, new EmptyInventory(), new TargetFilter(null, [Child]), events, CancellationToken.None), events);
    }

    [Fact]
    public void A_faithful_recording_passes_every_check()
    {
        var (replay, child) = Script();
        var (result, events) = Record(replay);
        IReadOnlyList<SelftestCheck> checks = SelftestChecks.Evaluate(result, child, events, replay.Info);
        Assert.All(checks, c => Assert.True(c.Passed, c.ToString()));
        Assert.Equal(5, checks.Count);
        Assert.StartsWith("PASS  diff lists the handles left open: 6 of 6", checks[1].ToString());
    }

    [Fact]
    public void A_wrong_count_fails_the_diff_check()
    {
        var (replay, child) = Script();
        var (result, events) = Record(replay);
        var claimsMore = child with { Open = [.. child.Open, 0xfff0] }; // the child says it kept one more open
        SelftestCheck diff = SelftestChecks.Evaluate(result, claimsMore, events, replay.Info)[1];
        Assert.False(diff.Passed);
        Assert.Contains("6 of 7", diff.Detail);
    }

    [Fact]
    public void A_missing_close_fails_the_diff_and_history_checks()
    {
        uint firstClosed = Script().Child.Closed[0]; // the script is deterministic: the same values every time
        var (replay, child) = Script((in EventRecord r) => SyntheticReplay.IsClose(r, firstClosed));
        var (result, events) = Record(replay);
        var checks = SelftestChecks.Evaluate(result, child, events, replay.Info);
        Assert.False(checks[1].Passed, checks[1].ToString()); // the unclosed one is still listed
        Assert.False(checks[3].Passed, checks[3].ToString());
        Assert.Contains("3 of 4", checks[3].Detail);
    }

    [Fact]
    public void Lost_events_fail_the_loss_check()
    {
        var (replay, child) = Script();
        var (result, events) = Record(replay);
        var checks = SelftestChecks.Evaluate(result with { LostEvents = 12 }, child, events, replay.Info);
        Assert.False(checks[4].Passed);
        Assert.Contains("12 lost", checks[4].Detail);
        Assert.True(checks[1].Passed);
    }

    [Fact]
    public void Selftest_off_windows_is_one_line_and_not_supported()
    {
        if (OperatingSystem.IsWindows()) return; // the Windows run is SelftestLiveTests
        var (code, output, error) = CliSmokeTests.Run("selftest");
        Assert.Equal(HandleEtw.Cli.ExitCodes.NotSupported, code);
        Assert.Equal("", output);
        Assert.Equal("handleetw selftest: selftest records a live kernel session and needs Windows (elevated)", error.Trim());
    }
}
