using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Tests.Tracking;

public class AnalysisTests
{
    [Fact]
    public void Leaks_rank_a_growing_stack_above_a_bigger_flat_one()
    {
        var s = new EventScript().Start(100, name: "svc.exe");
        for (int i = 0; i < 200; i++) s.Create(100, 1, (uint)(0x1000 + 4 * i), (ulong)i, 1, 0xF1A7); // all early, then flat
        for (int minute = 0; minute < 10; minute++)
            for (int k = 0; k < 10; k++)
            {
                uint h = (uint)(0x4000 + 4 * (minute * 10 + k));
                s.At(60 + minute * 60 + k).Create(100, 2, h, 0x5000ul + h, 1, 0x1EA4);
                if (k % 2 == 0) s.Close(100, 2, h, 0x5000ul + h);        // half of them leak: +5 per minute
            }
        s.At(660);
        HandleTracker t = s.Track();
        LeakReport r = LeakAnalysis.Build(t, s.Context(), ProcessFilter.All, top: 10);
        LeakEntry leak = Assert.Single(r.Leaks);
        Assert.Equal(["0x1ea4"], leak.Stack);
        Assert.Equal(50, leak.Outstanding);
        Assert.InRange(leak.PerMinute, 4, 6.5);
        Assert.True(leak.Growing);
        LeakEntry held = Assert.Single(r.Flat);
        Assert.False(held.Growing);
        Assert.Equal(200, held.Outstanding);
        Assert.Equal(0, held.PerMinute);
        Assert.Equal(GrowthRule.Early, held.Reason);
    }

    [Fact]
    public void Diff_lists_handles_opened_after_from_and_open_at_to()
    {
        var s = new EventScript().Rundown(100, 0x10, 0xAA)
            .At(1).Create(100, 1, 0x40, 0xA, 1, 0x111)      // before --from
            .At(3).Create(100, 2, 0x44, 0xB, 1, 0x222)      // inside, still open at --to (closed later)
            .At(4).Create(100, 2, 0x48, 0xC, 1, 0x222)      // inside, closed before --to
            .At(5).Close(100, 2, 0x48, 0xC)
            .At(7).Close(100, 2, 0x44, 0xB)
            .At(9).Create(100, 3, 0x4C, 0xD, 1, 0x333);     // after --to
        var recorder = new DiffRecorder(new HandleTracker(s.Info), s.Info.FromRelativeSeconds(2), s.Info.FromRelativeSeconds(6));
        s.Feed(recorder);
        DiffReport r = recorder.Report(s.Context(), ProcessFilter.All);
        DiffHandle h = Assert.Single(r.Handles);
        Assert.Equal((0x44u, 2, 3.0), (h.Handle, h.Tid, h.Time));
        Assert.Equal((2.0, 6.0), (r.From, r.To));

        var whole = new DiffRecorder(new HandleTracker(s.Info), null, null);
        s.Feed(whole);
        DiffReport all = whole.Report(s.Context(), ProcessFilter.All);
        Assert.Equal(new uint[] { 0x40, 0x4C }, all.Handles.Select(x => x.Handle));  // rundown handle 0x10 excluded
    }

    [Fact]
    public void Diff_groups_by_create_stack_and_prints_htrace_shape()
    {
        var s = new EventScript().Start(100, name: "leaky.exe").Image(100, 0x7FF6_0000_0000, 0x10000, @"C:\x\LeakyHandles.exe");
        for (int i = 0; i < 3; i++) s.Create(100, 0x1c, (uint)(0x40 + 4 * i), (ulong)i, 1, 0x7FF6_0000_1234, 0x7FF6_0000_2000);
        s.Create(100, 0x1c, 0x80, 9, 1, 0x7FF6_0000_3000);
        s.Type(1, "Event");
        var writer = new StringWriter();
        DiffCommand.Execute(new DiffCommand.Args("t.etl", null, null, ProcessFilter.All, false), s.Input(), writer);
        string text = writer.ToString();
        Assert.StartsWith("Handles opened after", text);
        Assert.Contains("3 x Event in leaky.exe (pid 100), opened from:\n    LeakyHandles+0x1234\n    LeakyHandles+0x2000", text.Replace("\r", ""));
        Assert.Contains("Handle = 0x00000040 - OPEN", text);
        Assert.Contains("Thread ID = 0x0000001c, Process ID = 0x00000064", text);
        Assert.True(text.IndexOf("3 x Event", StringComparison.Ordinal) < text.IndexOf("1 x Event", StringComparison.Ordinal));
    }

    [Fact]
    public void Lossy_diff_says_so_on_top()
    {
        var s = new EventScript().Loss(10).Create(100, 1, 0x40, 0xA);
        var writer = new StringWriter();
        DiffCommand.Execute(new DiffCommand.Args("t.etl", null, null, ProcessFilter.All, false), s.Input(), writer);
        Assert.StartsWith(TextReports.LossyBanner, writer.ToString());
    }

    [Fact]
    public void Filters_select_by_pid_or_process_name()
    {
        var s = new EventScript().Start(100, name: "a.exe").Start(200, name: "B.EXE")
            .Create(100, 1, 0x40, 0xA).Create(200, 1, 0x40, 0xB);
        var recorder = new DiffRecorder(new HandleTracker(s.Info), null, null);
        s.Feed(recorder);
        Assert.Equal(200, Assert.Single(recorder.Report(s.Context(), new ProcessFilter(Name: "b")).Handles).Pid);
        Assert.Equal(100, Assert.Single(recorder.Report(s.Context(), new ProcessFilter(Pid: 100)).Handles).Pid);
    }

    [Fact]
    public void History_lists_every_event_of_one_value_newest_first()
    {
        var s = new EventScript()
            .At(1).Create(100, 1, 0x40, 0xA, 1, 0x10)
            .At(2).Create(100, 1, 0x44, 0xF)                              // another value: not listed
            .At(3).Duplicate(100, 1, 100, 0x40, 200, 0x90, 0xA)
            .At(4).Close(100, 2, 0x40, 0xA, 1, 0x20)
            .At(5).Duplicate(300, 3, 300, 0x70, 100, 0x40, 0xB)            // value reused as a duplicate target
            .At(6).Create(200, 1, 0x40, 0xC);                             // other process: not listed
        var collector = new HistoryCollector(s.Info, 100, 0x40);
        s.Feed(collector);
        HistoryReport r = collector.Report(s.Context());
        Assert.Equal(new[] { ("DUPLICATE", 5.0), ("CLOSE", 4.0), ("DUPLICATE", 3.0), ("OPEN", 1.0) }, r.Entries.Select(e => (e.Kind, e.Time)));
        Assert.Equal(["0x20"], r.Entries[1].Stack);
        Assert.Equal(2, r.Entries[1].Tid);
    }
}
