using HandleEtw.Core.Events;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Live;

/// <summary>The stop-time .NET rundown's decisions (keywords, order, waiting, timeout), on a fake clock.</summary>
public class ClrRundownTests
{
    /// <summary>A session whose runtimes answer each enable after a delay, driven by the sequence's own sleeps.</summary>
    private sealed class FakeSession
    {
        private readonly ClrRundownProgress _progress = new();
        private readonly List<(TimeSpan At, Action<ClrRundownProgress> Deliver)> _pending = new();
        public TimeSpan Now { get; private set; }
        public List<(TimeSpan At, ulong Keywords)> Enables { get; } = new();
        public int Flushes { get; private set; }
        public uint FailWith { get; set; }

        /// <summary>Runtimes: pid, how long each takes to answer an enable, and how many methods it lists (null: never completes).</summary>
        public List<(int Pid, TimeSpan Delay, int? Methods)> Runtimes { get; } = new();

        public uint Enable(ulong keywords)
        {
            Enables.Add((Now, keywords));
            if (FailWith != 0) return FailWith;
            bool methods = (keywords & ClrCapture.JitKeyword) != 0;
            foreach (var (pid, delay, count) in Runtimes)
            {
                TimeSpan at = Now + delay;
                _pending.Add((at, p => p.OnClrNote(new ClrNoteEvent { Kind = ClrNoteKind.EndInit, ProcessId = pid })));
                _pending.Add((at, p => p.OnClrModule(new ClrModuleEvent { Op = ClrModuleOp.DCEnd, ProcessId = pid })));
                for (int i = 0; methods && i < (count ?? 50); i++)
                    _pending.Add((at + TimeSpan.FromMilliseconds(i), p => p.OnMethod(new MethodEvent { Op = MethodOp.DCEnd, ProcessId = pid })));
                if (count is int n)
                    _pending.Add((at + TimeSpan.FromMilliseconds(n), p => p.OnClrNote(new ClrNoteEvent { Kind = ClrNoteKind.EndComplete, ProcessId = pid })));
            }
            return 0;
        }

        public void Flush()
        {
            Flushes++;
            foreach (var due in _pending.Where(d => d.At <= Now).ToList())
            {
                due.Deliver(_progress);
                _pending.Remove(due);
            }
        }

        public void Sleep(TimeSpan t) => Now += t;

        public RundownOutcome Run(ClrCapture? capture = null, List<string>? lines = null, CancellationToken abandon = default) =>
            new ClrRundownSequence(capture ?? new ClrCapture(), Enable, Flush, _progress.Snapshot, () => Now, Sleep, lines is null ? null : lines.Add)
                .Run(abandon);
    }

    [Fact]
    public void Keywords_are_the_runtime_and_rundown_sets_of_the_manifest()
    {
        Assert.Equal(0x20018UL, ClrCapture.RuntimeKeywords);
        Assert.Equal(0x108UL, ClrCapture.RundownModuleKeywords);
        Assert.Equal(0x20118UL, ClrCapture.RundownMethodKeywords);
        Assert.True(ClrCapture.Level >= 4);
        Assert.Equal(new Guid("e13c0d23-ccbc-4e12-931b-d9cc2eee27e4"), ClrCapture.RuntimeProvider);
        Assert.Equal(new Guid("a669021c-c450-4609-a035-5af59af4df18"), ClrCapture.RundownProvider);
    }

    [Fact]
    public void Modules_are_asked_first_and_methods_half_a_second_later()
    {
        var session = new FakeSession();
        session.Runtimes.Add((4100, TimeSpan.FromMilliseconds(20), 300));
        RundownOutcome outcome = session.Run();
        Assert.Equal([(TimeSpan.Zero, ClrCapture.RundownModuleKeywords), (TimeSpan.FromMilliseconds(500), ClrCapture.RundownMethodKeywords)],
            session.Enables);
        Assert.Equal(RundownEnd.Completed, outcome.End);
        Assert.Equal((1, 1, 300L, 2L), (outcome.Progress.Begun, outcome.Progress.Completed, outcome.Progress.Methods, outcome.Progress.Modules));
        Assert.InRange(outcome.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3)); // done, plus the quiet second
        Assert.True(session.Flushes > 0);
        Assert.Contains("1 of 1 .NET processes completed, 300 methods", outcome.Summary());
    }

    [Fact]
    public void A_runtime_that_never_completes_ends_the_wait_at_the_timeout_and_is_named()
    {
        var session = new FakeSession();
        session.Runtimes.Add((4100, TimeSpan.FromMilliseconds(20), 300));
        session.Runtimes.Add((4200, TimeSpan.FromMilliseconds(50), null)); // a busy service still listing
        var lines = new List<string>();
        RundownOutcome outcome = session.Run(new ClrCapture { RundownTimeout = TimeSpan.FromSeconds(8) }, lines);
        Assert.Equal(RundownEnd.TimedOut, outcome.End);
        Assert.InRange(outcome.Elapsed, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8.5));
        Assert.Equal([4200], outcome.Progress.Unfinished);
        Assert.Contains("still running in pid 4200", outcome.Summary());
        Assert.InRange(lines.Count, 5, 9); // about one progress line a second
        Assert.All(lines, l => Assert.Contains("of at most 8 s", l));
    }

    [Fact]
    public void Without_any_dotnet_process_the_stop_waits_only_a_few_seconds()
    {
        var session = new FakeSession();
        RundownOutcome outcome = session.Run();
        Assert.Equal(RundownEnd.NoAnswer, outcome.End);
        Assert.InRange(outcome.Elapsed, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(4));
        Assert.Contains("no .NET process answered", outcome.Summary());
    }

    [Fact]
    public void A_refused_enable_is_reported_and_the_methods_are_not_asked()
    {
        var session = new FakeSession { FailWith = 5 };
        RundownOutcome outcome = session.Run();
        Assert.Equal(RundownEnd.Failed, outcome.End);
        Assert.Single(session.Enables);
        Assert.Contains("Win32 error 5", outcome.Summary());
    }

    [Fact]
    public void Stopping_from_outside_abandons_the_wait_at_the_next_poll()
    {
        var session = new FakeSession();
        session.Runtimes.Add((4200, TimeSpan.FromMilliseconds(50), null));
        using var abandon = new CancellationTokenSource();
        abandon.Cancel();
        RundownOutcome outcome = session.Run(abandon: abandon.Token);
        Assert.Equal(RundownEnd.Abandoned, outcome.End);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_runtime_that_exits_mid_rundown_is_not_waited_for()
    {
        var progress = new ClrRundownProgress();
        progress.OnClrNote(new ClrNoteEvent { Kind = ClrNoteKind.EndInit, ProcessId = 7 });
        progress.OnClrNote(new ClrNoteEvent { Kind = ClrNoteKind.EndInit, ProcessId = 8 });
        progress.OnClrNote(new ClrNoteEvent { Kind = ClrNoteKind.EndComplete, ProcessId = 8 });
        Assert.Equal([7], progress.Snapshot().Unfinished);
        progress.OnProcess(new ProcessEvent { Op = ProcessOp.Stop, ProcessId = 7 });
        Assert.Empty(progress.Snapshot().Unfinished);
        Assert.Equal((2, 2), (progress.Snapshot().Begun, progress.Snapshot().Completed));
    }

    [Fact]
    public void No_clr_turns_off_the_rundown_too_and_the_timeout_must_be_positive()
    {
        Assert.Equal((false, false), (ClrCapture.From(noClr: true, noRundown: false, null).Runtime, ClrCapture.From(true, false, null).Rundown));
        Assert.Equal((true, false), (ClrCapture.From(false, true, null).Runtime, ClrCapture.From(false, true, null).Rundown));
        Assert.Equal(TimeSpan.FromSeconds(90), ClrCapture.From(false, false, TimeSpan.FromSeconds(90)).RundownTimeout);
        Assert.Throws<ArgumentException>(() => ClrCapture.From(false, false, TimeSpan.Zero));
    }
}

/// <summary>`record`'s .NET options and what the summary says of the capture.</summary>
public class RecordClrOptionsTests
{
    [Fact]
    public void Record_takes_the_dotnet_options()
    {
        var (code, _, error) = Cli.CliSmokeTests.Run("record", "--no-clr-rundown", "--clr-rundown-timeout", "2m", "--process", "w3wp");
        Assert.Equal(OperatingSystem.IsWindows() ? code : HandleEtw.Cli.ExitCodes.NotSupported, code);
        Assert.DoesNotContain("clr", error);
        (code, _, _) = Cli.CliSmokeTests.Run("record", "--no-clr");
        Assert.Equal(OperatingSystem.IsWindows() ? code : HandleEtw.Cli.ExitCodes.NotSupported, code);
    }

    [Fact]
    public void A_zero_rundown_timeout_is_a_one_line_error()
    {
        var (code, _, error) = Cli.CliSmokeTests.Run("record", "--clr-rundown-timeout", "0");
        Assert.Equal(HandleEtw.Cli.ExitCodes.ArgumentError, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--clr-rundown-timeout", error);
    }

    [Fact]
    public void The_summary_and_json_say_how_the_rundown_ended()
    {
        var status = new ClrStatus
        {
            Runtime = true,
            Rundown = new RundownOutcome(RundownEnd.TimedOut, new RundownSnapshot(3, 2, 12_345, 40, 12_400, [4200]), TimeSpan.FromSeconds(30.2)),
        };
        string line = Assert.Single(status.SummaryLines());
        Assert.StartsWith(".NET rundown timed out: 2 of 3 .NET processes completed, 12,345 methods", line);
        Assert.Contains("pid 4200", line);
        var json = status.ToJson();
        Assert.Equal(("timed_out", 3, 2, 12_345L, 30.2), (json.Rundown, json.RundownProcesses, json.RundownCompleted, json.RundownMethods, json.RundownSeconds));
        Assert.Equal([4200], json.UnfinishedPids);
        var kernelLogger = new ClrStatus { RuntimeProblem = "the NT Kernel Logger cannot carry the .NET runtime provider" };
        Assert.Equal("off", kernelLogger.ToJson().Rundown);
        Assert.Contains("NT Kernel Logger", Assert.Single(kernelLogger.SummaryLines()));
    }
}
