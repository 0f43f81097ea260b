using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Tests.Tracking;

public class TrackerSemanticsTests
{
    private static List<LiveHandle> Live(HandleTracker t) => t.EnumerateLive().ToList();

    [Fact]
    public void Create_then_close_leaves_nothing_and_memory_follows_live_handles()
    {
        var s = new EventScript();
        for (int i = 0; i < 1000; i++)
            s.Create(100, 1, 0x40, (ulong)(0x1000 + i)).Close(100, 1, 0x40, (ulong)(0x1000 + i));
        s.Create(100, 1, 0x44, 0x9999, 1, 0x1234);
        HandleTracker t = s.Track();
        LiveHandle h = Assert.Single(Live(t));
        Assert.Equal((100, 0x44u, 0x9999ul, 1, HandleOrigin.Created), (h.Pid, h.Handle, h.Object, h.Thread, h.Origin));
        Assert.Equal(1, t.LiveHandleCount);
        Assert.Equal(0, t.Counters.LostCloses + t.Counters.UnknownClosesGap + t.Counters.UnknownClosesPredatingTrace);
    }

    [Fact]
    public void Reused_pid_gets_a_new_table()
    {
        HandleTracker t = new EventScript()
            .Start(100).Create(100, 1, 0x40, 0xA)
            .Stop(100)
            .Start(100, name: "other.exe").Create(100, 2, 0x40, 0xB)
            .Track();
        LiveHandle h = Assert.Single(Live(t));
        Assert.Equal((0xBul, "other.exe"), (h.Object, h.Process));
        Assert.Equal(0, t.Counters.LostCloses);
        Assert.Equal(1, t.Counters.ReleasedAtExit);
    }

    [Fact]
    public void Exit_releases_the_table_and_late_closes_are_exit_sweep()
    {
        HandleTracker t = new EventScript()
            .Start(100).Create(100, 1, 0x40, 0xA).Create(100, 1, 0x44, 0xB)
            .Stop(100)
            .Close(100, 1, 0x40, 0xA)               // logged after Process/Stop
            .Start(100, name: "reused.exe")
            .Close(100, 7, 0x44, 0xB)               // after the pid was reused: still the old process's sweep
            .Track();
        Assert.Empty(Live(t));
        Assert.Empty(t.LeakGroupSummaries());
        Assert.Equal(2, t.Counters.ExitSweepCloses);
        Assert.Equal(0, t.Counters.UnknownClosesGap + t.Counters.UnknownClosesPredatingTrace);
    }

    [Fact]
    public void Exited_table_is_freed_after_the_grace_period()
    {
        var s = new EventScript().Start(100).Create(100, 1, 0x40, 0xA).Stop(100);
        s.At(30).Start(200);
        HandleTracker t = s.Track();
        Assert.Equal(0, t.LiveHandleCount);
    }

    [Fact]
    public void Kernel_handles_belong_to_the_system_table_whoever_logs_them()
    {
        HandleTracker t = new EventScript()
            .Create(100, 1, 0x8000_0010, 0xA)
            .Create(200, 2, 0x8000_0014, 0xB)
            .Close(300, 3, 0x8000_0014, 0xB)
            .Track();
        LiveHandle h = Assert.Single(Live(t));
        Assert.Equal((4, 0x8000_0010u, 100), (h.Pid, h.Handle, h.OriginPid));
        Assert.Equal(0, t.Counters.UnknownClosesGap + t.Counters.UnknownClosesPredatingTrace);
    }

    [Fact]
    public void Inheritance_duplicates_move_to_the_child_and_its_closes_are_inherited()
    {
        HandleTracker t = new EventScript()
            .Start(100, name: "parent.exe").Create(100, 1, 0x40, 0xA).Create(100, 1, 0x44, 0xB)
            .Duplicate(100, 1, 100, 0x40, 100, 0x40, 0xA)          // parent→parent, same value
            .Start(200, parent: 100, name: "child.exe")
            .Close(200, 5, 0x40, 0xA)
            .Close(200, 5, 0x44, 0xB)                               // not logged as duplicate, but live in the parent
            .Track();
        Assert.Equal(2, t.Counters.InheritedCloses);
        Assert.Equal(0, t.Counters.LostCloses + t.Counters.UnknownClosesGap + t.Counters.UnknownClosesPredatingTrace);
        Assert.Equal(new uint[] { 0x40, 0x44 }, Live(t).Where(h => h.Pid == 100).Select(h => h.Handle).Order());
    }

    [Fact]
    public void Duplicate_creates_in_the_target_and_close_source_closes_the_source()
    {
        var s = new EventScript()
            .Create(100, 1, 0x40, 0xA)
            .Create(100, 1, 0x48, 0xC)
            .Duplicate(100, 1, 100, 0x40, 200, 0x80, 0xA)
            .Duplicate(100, 1, 100, 0x48, 300, 0x90, 0xC).Same()
            .Close(100, 1, 0x48, 0xC);                             // DUPLICATE_CLOSE_SOURCE
        HandleTracker t = s.Track();
        var live = Live(t).OrderBy(h => h.Pid).ToList();
        Assert.Equal(new[] { (100, 0x40u), (200, 0x80u), (300, 0x90u) }, live.Select(h => (h.Pid, h.Handle)));
        Assert.Equal((HandleOrigin.Duplicated, 100, 0x40u), (live[1].Origin, live[1].OriginPid, live[1].OriginHandle));
        Assert.Equal(1, t.Counters.DuplicateCloseSource);
    }

    [Fact]
    public void Create_on_a_live_value_counts_a_lost_close()
    {
        HandleTracker t = new EventScript().Create(100, 1, 0x40, 0xA).Create(100, 1, 0x40, 0xB).Track();
        Assert.Equal(1, t.Counters.LostCloses);
        Assert.Equal(0xBul, Assert.Single(Live(t)).Object);
    }

    [Fact]
    public void Unknown_closes_are_classified_predating_or_gap()
    {
        HandleTracker t = new EventScript()
            .Close(100, 1, 0x40, 0xA)                       // running before the trace, no rundown
            .Start(200).Close(200, 1, 0x40, 0xB)             // started inside the trace: its create was missed
            .Rundown(300, 0x10, 0xC).Close(300, 1, 0x40, 0xD) // rundown lists it, 0x40 was not there
            .Track();
        Assert.Equal(1, t.Counters.UnknownClosesPredatingTrace);
        Assert.Equal(2, t.Counters.UnknownClosesGap);
    }

    [Fact]
    public void Losses_make_every_result_lossy()
    {
        Assert.False(new EventScript().Create(1, 1, 4, 1).Track().Lossy);
        Assert.True(new EventScript().Loss(3).Create(1, 1, 4, 1).Track().Lossy);
        var s = new EventScript().Create(1, 1, 4, 1);
        s.Info.DamagedBuffers = 1;
        Assert.True(s.Track().Lossy);
    }

    [Fact]
    public void Type_names_come_from_the_type_rundown()
    {
        HandleTracker t = new EventScript().Create(100, 1, 0x40, 0xA, type: 37).Create(100, 1, 0x44, 0xB, type: 12).Type(37, "Event").Track();
        Assert.Equal("Event", t.Types[37]);
        Assert.Equal("type#12", t.Types[12]);
        var summary = Assert.Single(t.SummarizeLiveHandles());
        Assert.Equal(2, summary.Total);
        Assert.Contains(("Event", 1), summary.ByType);
    }

    [Fact]
    public void Rundown_handles_are_origin_rundown_without_thread_or_stack()
    {
        HandleTracker t = new EventScript().Rundown(100, 0x40, 0xA).Track();
        LiveHandle h = Assert.Single(Live(t));
        Assert.Equal((HandleOrigin.Rundown, -1, -1), (h.Origin, h.Thread, h.StackId));
        Assert.NotNull(t.RundownTimestamp);
    }
}
