using System.Text.Json;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Sequence;

/// <summary>A trace cut into a roll of files answers like the trace it was cut from.</summary>
public class RolledFilesTests
{
    /// <summary>Leaks, handle reuse, a duplicate into another process, a process that exits holding handles; cached
    /// stacks with a small cache, so keys are referenced in one file and defined in a later one.</summary>
    private static TraceScript Scenario(bool handleRundownAtStart = false)
    {
        var options = new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 4, HandleRundownAtStart = handleRundownAtStart };
        TraceScript script = HandleScenarios.LeakyHandles(iterations: 120, duration: TimeSpan.FromMinutes(10), options);
        ScriptProcess leaky = script.Processes.Single(p => p.Pid == HandleScenarios.LeakyPid);
        script.Preexisting(leaky, "File");
        ScriptProcess worker = script.AddProcess(4300, "worker.exe", atStart: false);
        worker.Module("worker.exe", 0x7FF6_5550_0000UL, 0x1_0000).Function("serve", 0x2000);
        ScriptThread wt = worker.Thread(5200);
        for (int i = 0; i < 30; i++)
        {
            uint h = wt.Create("Key", ["kernelbase!RegOpenKeyExW", "serve", .. TraceScript.ThreadBase], api: "NtOpenKey");
            if (i % 3 == 0) wt.Duplicate(h, leaky, user: ["kernelbase!DuplicateHandle", "serve", .. TraceScript.ThreadBase]);
            script.Advance(TimeSpan.FromSeconds(5));
        }
        script.Exit(worker);
        return script;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Five_files_give_the_same_diff_leaks_and_misuse_as_the_uncut_trace(bool rundownPerFile)
    {
        using var dir = new TempDir();
        TraceScript script = Scenario(handleRundownAtStart: rundownPerFile);
        string single = Path.Combine(dir.Path, "uncut.etl");
        script.WriteTo(single);
        string rollDir = Directory.CreateDirectory(Path.Combine(dir.Path, "roll")).FullName;
        IReadOnlyList<string> files = script.WriteRolled(rollDir, "trace", new RollOptions { HandleRundownPerFile = rundownPerFile });
        Assert.Equal(5, files.Count);

        foreach (string command in new[] { "leaks", "diff", "misuse" })
        {
            string expected = Json(command, single);
            Assert.Equal(expected, Json(command, [.. files]));
            Assert.Equal(expected, Json(command, [.. files.Reverse()])); // ordered by time, not by the command line
            Assert.Equal(expected, Json(command, rollDir));               // a folder of them
        }
        JsonElement leaks = JsonDocument.Parse(Json("leaks", [.. files])).RootElement;
        Assert.False(leaks.GetProperty("lossy").GetBoolean());
        Assert.Equal(script.Facts.LeaksFrom("fun4"), Outstanding(leaks, "Event"));

        var tracker = new HandleTracker(EtlSequenceSource.Open(files).Info);
        using (var source = EtlSequenceSource.Open(files)) TracePipeline.Run(source, tracker);
        Assert.Equal(4, tracker.Counters.Segments);
        Assert.Equal(0, tracker.Counters.RundownMismatches);
        if (rundownPerFile) Assert.True(tracker.Counters.RundownConfirmed > 4 * script.Facts.LeaksFrom("fun4") / 5);
    }

    [Fact]
    public void A_missing_file_is_a_lossy_interval()
    {
        using var dir = new TempDir();
        TraceScript script = Scenario();
        IReadOnlyList<string> files = script.WriteRolled(dir.Path, "trace");
        string[] withGap = [files[0], files[1], files[3], files[4]];

        var (code, output, error) = CliSmokeTests.Run(["leaks", "--json", .. withGap]);
        Assert.Equal(0, code);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("lossy").GetBoolean());
        Assert.Contains("lossy interval", error);
        Assert.Contains(Path.GetFileName(files[1]), error);

        (code, output, _) = CliSmokeTests.Run(["stats", "--json", .. withGap]);
        Assert.Equal(0, code);
        JsonElement gaps = JsonDocument.Parse(output).RootElement.GetProperty("gaps");
        Assert.Equal(1, gaps.GetArrayLength());
        Assert.True(gaps[0].GetProperty("to_s").GetDouble() > gaps[0].GetProperty("from_s").GetDouble());

        (_, output, _) = CliSmokeTests.Run(["stats", "--json", .. files]);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("gaps").GetArrayLength());
    }

    [Fact]
    public void A_later_rundown_that_disagrees_with_the_carried_tables_is_reconciled_and_lossy()
    {
        using var dir = new TempDir();
        TraceScript script = Scenario(handleRundownAtStart: true);
        IReadOnlyList<string> files = script.WriteRolled(dir.Path, "trace", new RollOptions { HandleRundownPerFile = true });
        // Without the first file the second one's rundown lists handles nobody saw created: they are taken in.
        string[] later = [.. files.Skip(1)];
        var tracker = new HandleTracker(EtlSequenceSource.Open(later).Info);
        using (var source = EtlSequenceSource.Open(later)) TracePipeline.Run(source, tracker);
        Assert.Equal(0, tracker.Counters.RundownMismatches); // the second file is the first here: its rundown starts the trace
        Assert.False(tracker.Lossy);

        // A gap in the middle: the fourth file's rundown lists what the third should have created.
        string[] gap = [files[0], files[1], files[3]];
        tracker = new HandleTracker(EtlSequenceSource.Open(gap).Info);
        using (var source = EtlSequenceSource.Open(gap)) TracePipeline.Run(source, tracker);
        Assert.True(tracker.Counters.RundownMismatches > 0);
        Assert.True(tracker.Lossy);
    }

    [Fact]
    public void Overlapping_files_are_one_line_and_non_zero()
    {
        using var dir = new TempDir();
        IReadOnlyList<string> files = Scenario().WriteRolled(dir.Path, "trace", new RollOptions { Files = 2 });
        var (code, output, error) = CliSmokeTests.Run("leaks", files[0], files[1], files[0]);
        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("overlap", error);

        (code, _, error) = CliSmokeTests.Run("leaks", Directory.CreateDirectory(Path.Combine(dir.Path, "empty")).FullName);
        Assert.NotEqual(0, code);
        Assert.Contains("no .etl files", error);
    }

    [Fact]
    public void Convert_of_a_roll_writes_one_dataset_like_the_uncut_trace()
    {
        using var dir = new TempDir();
        TraceScript script = Scenario();
        string single = Path.Combine(dir.Path, "uncut.etl");
        script.WriteTo(single);
        IReadOnlyList<string> files = script.WriteRolled(dir.Path, "trace");
        var (code, one, _) = CliSmokeTests.Run("convert", single, "-o", Path.Combine(dir.Path, "one"));
        Assert.Equal(0, code);
        var (code2, rolled, _) = CliSmokeTests.Run(["convert", .. files, "-o", Path.Combine(dir.Path, "rolled")]);
        Assert.Equal(0, code2);
        Assert.Equal(one.Replace(Path.Combine(dir.Path, "one"), ""), rolled.Replace(Path.Combine(dir.Path, "rolled"), ""));
        Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "rolled"), "events.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public void Files_on_another_clock_are_moved_onto_the_first_files_clock_with_their_stacks()
    {
        using var dir = new TempDir();
        var first = new ScriptOptions { Stacks = StackMode.Fragments };
        TraceScript a = HandleScenarios.LeakyHandles(iterations: 10, duration: TimeSpan.FromMinutes(1), first);
        string pathA = Path.Combine(dir.Path, "a.etl");
        a.WriteTo(pathA);
        // Recorded after a reboot: a later start in UTC, a session clock that starts low again, another frequency.
        var after = first with
        {
            Writer = first.Writer with { StartUtc = first.Writer.StartUtc.AddHours(2), StartQpc = 5_000, PerfFreq = 3_000_000 },
        };
        var b = new TraceScript(after);
        ScriptThread main = HandleScenarios.AddLeakyHandlesProcess(b, pid: 4343).Thread(5300);
        for (int i = 0; i < 10; i++)
        {
            main.Create("Event", ["kernelbase!CreateEventW", "fun4", "main", .. TraceScript.ThreadBase]);
            b.Advance(TimeSpan.FromSeconds(6));
        }
        string pathB = Path.Combine(dir.Path, "b.etl");
        b.WriteTo(pathB);

        // Flat in a two-hour window, so not ranked as leaks: the diff lists every handle still open, with its stack.
        JsonElement diff = JsonDocument.Parse(Json("diff", pathB, pathA)).RootElement;
        Assert.True(diff.GetProperty("lossy").GetBoolean()); // two hours nobody recorded
        JsonElement[] groups = [.. diff.GetProperty("groups").EnumerateArray().Where(g => g.GetProperty("type").GetString() == "Event")];
        Assert.Equal(20, groups.Sum(g => g.GetProperty("count").GetInt32()));
        Assert.Equal(2, groups.Length); // one per process
        Assert.All(groups, g => Assert.Equal(8, g.GetProperty("stack").GetArrayLength()));

        using var source = EtlSequenceSource.Open([pathB, pathA]);
        Assert.Single(source.Info.Gaps);
        Assert.InRange(source.Info.ToRelativeTicks(source.Info.Gaps[0].ToTimestamp) / 1e7, 7199, 7201);
    }

    private static int Outstanding(JsonElement leaks, string type) =>
        leaks.GetProperty("leaks").EnumerateArray()
            .Where(l => l.GetProperty("type").GetString() == type)
            .Sum(l => l.GetProperty("outstanding").GetInt32());

    private static string Json(string command, params string[] traces)
    {
        var (code, output, error) = CliSmokeTests.Run([command, "--json", .. traces]);
        Assert.True(code == 0, error);
        return output;
    }
}
