using HandleEtw.Cli;
using HandleEtw.Core.Tracking;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Windows.Live;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Live;

/// <summary>`record --preset` and `--types`: the session decisions and the in-process filter, off Windows.</summary>
public class PresetTests
{
    [Fact]
    public void The_long_preset_drops_close_stacks_caches_stacks_and_gets_more_buffer_room()
    {
        Assert.Equal(new byte[] { 32, 33, 34 }, RecordPreset.Full.StackedOpcodes);
        Assert.Equal(new byte[] { 32, 34 }, RecordPreset.Long.StackedOpcodes);
        Assert.True(RecordPreset.Long.StackCaching && !RecordPreset.Full.StackCaching);
        SessionPlan full = SessionPlan.Private(8, null), longRun = SessionPlan.Private(8, null, RecordPreset.Long);
        Assert.Equal((16u, 48u), (full.MinimumBuffers, full.MaximumBuffers)); // today's capture, unchanged
        Assert.Equal((32u, 128u), (longRun.MinimumBuffers, longRun.MaximumBuffers));
        Assert.Equal(1024u, SessionPlan.KernelLogger(128, null, RecordPreset.Long).MaximumBuffers); // capped at 1 GB
        Assert.Same(RecordPreset.Long, RecordPreset.Parse("LONG"));
        Assert.Throws<FormatException>(() => RecordPreset.Parse("fast"));
    }

    [Fact]
    public void Up_to_four_types_go_to_the_kernel_filter_as_their_first_four_characters()
    {
        ObjectTypeSelection types = ObjectTypeSelection.Parse("Event, File,Key");
        Assert.Equal(["Event", "File", "Key"], types.Names);
        Assert.Equal(new uint[] { 0x6E657645, 0x656C6946, 0x2079654B }, types.KernelTags); // "Even", "File", "Key "
        Assert.Null(ObjectTypeSelection.Parse("Event,File,Key,Mutant,Section").KernelTags); // more than the kernel takes
        Assert.True(types.Matches("event"));
        Assert.Throws<FormatException>(() => ObjectTypeSelection.Parse(" , "));
    }

    /// <summary>--types Mutant on a replay of leakyhandles plus a Mutant leak: the end report knows only Mutants.</summary>
    [Fact]
    public void Types_keep_only_the_chosen_object_types_in_process()
    {
        var replay = SyntheticReplay.From(HandleScenarios.LeakyHandlesBuild(new LeakyBuild(Fun5Leaks: true), iterations: 60));
        RecordingResult result;
        using (var source = replay.Source())
            result = new Recorder(new RecordOptions { Types = ObjectTypeSelection.Parse("Mutant") },
                    new RecordingIo(new StringWriter(), new StringWriter(), ErrorIsTerminal: false))
                .Run(source, new EmptyInventory(replay.Info.StartTimestamp), new TargetFilter(null, []), null, CancellationToken.None);
        Assert.NotEmpty(result.Report.Diff.Groups);
        Assert.All(result.Report.Diff.Groups, g => Assert.Equal("Mutant", g.Type));
        Assert.Equal(60, result.Report.Diff.Groups.Sum(g => g.Count));
    }

    [Theory]
    [InlineData(new[] { "record", "--preset", "fast" }, "--preset fast")]
    [InlineData(new[] { "record", "--types", "," }, "--types")]
    public void Bad_preset_or_types_are_one_line_and_exit_2(string[] args, string expected)
    {
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.Equal(ExitCodes.ArgumentError, code);
        Assert.Equal("", output);
        Assert.Contains(expected, Assert.Single(error.Trim().Split('\n')));
    }
}
