using HandleEtw.Etl.Writing;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Live;
using HandleEtw.Tests.Parquet;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Sequence;

/// <summary>`record --etl NAME.etl --roll …` on the replay source: the files it writes answer like the recorded trace.</summary>
public class RolledRecordingTests
{
    [Fact]
    public void A_roll_every_two_minutes_of_a_ten_minute_replay_gives_the_leaks_and_diff_of_the_trace()
    {
        using var dir = new TempDir();
        TraceScript script = HandleScenarios.LeakyHandles(iterations: 300, duration: TimeSpan.FromMinutes(10),
            new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 8 });
        string original = Path.Combine(dir.Path, "original.etl");
        script.WriteTo(original);
        var replay = SyntheticReplay.From(script);
        string rollDir = Directory.CreateDirectory(Path.Combine(dir.Path, "roll")).FullName;
        var options = new RecordOptions { EtlPath = Path.Combine(rollDir, "leaky.etl"), Roll = RollPolicy.Parse("2m") };
        var stdout = new StringWriter();
        RecordingResult result;
        using (var source = replay.Source())
            result = new Recorder(options, new RecordingIo(stdout, new StringWriter(), ErrorIsTerminal: false))
                .Run(source, new EmptyInventory(replay.Info.StartTimestamp), new TargetFilter(null, []), null, CancellationToken.None);

        Assert.Equal(6, result.RolledFiles.Count); // 0-2, 2-4, 4-6, 6-8, 8-10 minutes, and the last iteration and end rundown just past 10
        Assert.Equal(Path.Combine(rollDir, "leaky_001.etl"), result.RolledFiles[0]);
        Assert.Contains("wrote 6 .etl files", stdout.ToString());
        foreach (string command in new[] { "leaks", "diff" })
            Assert.Equal(CliSmokeTests.Run(command, "--json", original).Out, CliSmokeTests.Run(command, "--json", rollDir).Out);
        var (_, stats, _) = CliSmokeTests.Run("stats", rollDir);
        Assert.Contains("6 read as one timeline, 0 gaps", stats);
    }

    [Fact]
    public void A_file_is_due_at_its_size_or_its_span()
    {
        RollPolicy size = RollPolicy.Parse("64MB"), time = RollPolicy.Parse("10m");
        Assert.False(size.IsDue((64L << 20) - 1, TimeSpan.FromDays(1)));
        Assert.True(size.IsDue(64L << 20, TimeSpan.Zero));
        Assert.False(time.IsDue(long.MaxValue, TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1)));
        Assert.True(time.IsDue(0, TimeSpan.FromMinutes(10)));
    }
}
