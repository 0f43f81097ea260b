using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Tests.Gui;

/// <summary>GDI and USER handles read from Win32k events (stacks as extended items) into tables of their own.</summary>
public class GuiTrackingTests
{
    private static (HandleTracker Tracker, PipelineResult Result) Track(TraceScript script)
    {
        using EtlFileSource file = EtlFileSource.Open(new MemoryStream(script.ToBytes()), "synthetic.etl", ownsStream: true);
        var tracker = new HandleTracker(file.Info);
        PipelineResult result = TracePipeline.Run(file, tracker);
        tracker.CanonicalizeStacks(result.Stacks);
        return (tracker, result);
    }

    public static TheoryData<int, int?, byte, StackMode> Forms() => new()
    {
        { 8, null, 0, StackMode.Fragments },
        { 4, null, 0, StackMode.Fragments },   // EVENT_HEADER32, 4-byte values, STACK_TRACE32
        { 8, 4, 1, StackMode.Cached },         // 64-bit header with STACK_TRACE32 items, a later event version
        { 4, 8, 0, StackMode.Fragments },      // 32-bit header with STACK_TRACE64 items
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void The_paint_handlers_font_is_the_leak_and_the_deleted_brush_is_not(int pointerSize, int? itemSize, byte version, StackMode stacks)
    {
        var options = new ScriptOptions { Win32kPointerSize = pointerSize, Win32kStackItemSize = itemSize, Win32kEventVersion = version, Stacks = stacks };
        TraceScript script = HandleScenarios.GdiPaintLeak(paints: 60, options: options);
        var (tracker, result) = Track(script);
        Assert.Equal(0, result.Counters.MalformedPayloads);
        var gdi = tracker.LeakGroupSummaries(HandleKind.Gdi);
        LeakGroupSummary top = gdi[0];
        Assert.True(top.Growing);
        Assert.Equal("Font", top.Type);
        Assert.Equal(60, top.Outstanding);
        Assert.Equal(HandleKind.Gdi, top.Kind);
        Assert.Equal(HandleScenarios.PaintPid, top.Pid);
        Assert.Single(gdi); // every brush was deleted
        ReadOnlySpan<ulong> frames = result.Stacks.GetFrames(top.StackId);
        ScriptProcess paint = script.Processes.Single(p => p.Pid == HandleScenarios.PaintPid);
        ulong createFont = paint.Resolve("gdi32!CreateFontIndirectW");
        Assert.Contains(pointerSize == 4 && itemSize != 8 || itemSize == 4 ? createFont & 0xFFFF_FFFF : createFont, frames.ToArray());
        // Kernel handles stay apart: only the Events.
        Assert.All(tracker.LeakGroupSummaries(), g => Assert.Equal("Event", g.Type));
        Assert.Equal(4, tracker.EnumerateLive().Count(h => h.Pid == HandleScenarios.PaintPid));
        Assert.Equal(60, tracker.EnumerateLive(HandleKind.Gdi).Count());
    }

    private sealed class FirstStacks : TraceConsumer
    {
        public int Kernel = -2, Gdi = -2;
        public override void OnHandle(in HandleEvent e) { if (Kernel == -2 && e.Op == HandleOp.Create) Kernel = e.StackId; }
        public override void OnGuiHandle(in GuiHandleEvent e) { if (Gdi == -2) Gdi = e.StackId; }
    }

    [Theory]
    [InlineData(StackMode.Fragments)]
    [InlineData(StackMode.Cached)]
    public void A_stack_shared_by_a_kernel_and_a_gdi_event_has_one_id(StackMode mode)
    {
        TraceScript script = HandleScenarios.GdiPaintLeak(paints: 5, options: new ScriptOptions { Stacks = mode, StackCacheSize = 4 });
        using EtlFileSource file = EtlFileSource.Open(new MemoryStream(script.ToBytes()), "synthetic.etl", ownsStream: true);
        var first = new FirstStacks();
        PipelineResult result = TracePipeline.Run(file, first);
        Assert.True(first.Gdi >= 0);
        Assert.Equal(result.Stacks.Canonical(first.Kernel), result.Stacks.Canonical(first.Gdi));
    }

    [Fact]
    public void User_objects_move_with_their_owner_and_keep_the_create_stack()
    {
        TraceScript script = HandleScenarios.UserObjectsReassigned();
        var (tracker, _) = Track(script);
        var live = tracker.EnumerateLive(HandleKind.User).ToList();
        LiveHandle window = Assert.Single(live);
        Assert.Equal(HandleScenarios.PaintPid + 100, window.Pid);
        Assert.Equal(HandleScenarios.UserWindow, window.Type);
        Assert.Equal(HandleKind.User, window.Kind);
        Assert.Equal(HandleScenarios.PaintPid, window.OriginPid); // created (and its stack logged) by the launcher
        Assert.True(window.StackId >= 0);
        Assert.Equal("Window", tracker.TypeName(HandleKind.User, window.Type));
        Assert.Equal(2, tracker.Counters.GuiOwnerChanges);
        Assert.Equal(0, tracker.Counters.GuiUnknownDestroys);
        Assert.Empty(tracker.EnumerateLive(HandleKind.Gdi));
    }

    [Fact]
    public void A_transform_renames_the_value_and_the_destroy_by_the_new_value_matches()
    {
        TraceScript script = HandleScenarios.GdiTransform();
        var (tracker, _) = Track(script);
        LiveHandle kept = Assert.Single(tracker.EnumerateLive(HandleKind.Gdi));
        GuiFact fact = script.GuiObjects.Single(f => f.Open);
        Assert.Equal((uint)fact.Value, kept.Handle);
        Assert.Equal(HandleOrigin.Created, kept.Origin);
        Assert.Equal(0, tracker.Counters.GuiUnknownDestroys);
        Assert.Equal(2, tracker.Counters.GuiTransforms);
    }

    [Fact]
    public void Gdi_objects_of_an_exited_process_are_released_not_leaked()
    {
        var (tracker, _) = Track(HandleScenarios.ProcessExitsWithGdiObjects());
        var groups = tracker.LeakGroupSummaries(null);
        LeakGroupSummary only = Assert.Single(groups);
        Assert.Equal(HandleScenarios.PaintPid + 200, only.Pid);
        Assert.Equal("Brush", only.Type);
        Assert.Equal(60, only.Outstanding);
        Assert.Equal(31, tracker.Counters.GuiReleasedAtExit);
        Assert.DoesNotContain(tracker.SummarizeLiveHandles(HandleKind.User), s => s.Pid == HandleScenarios.PaintPid);
    }

    [Fact]
    public void Without_stacks_the_leak_is_still_found_by_count_and_type()
    {
        var (tracker, _) = Track(HandleScenarios.GdiPaintLeak(paints: 30, options: new ScriptOptions { Stacks = StackMode.None }));
        LeakGroupSummary top = tracker.LeakGroupSummaries(HandleKind.Gdi)[0];
        Assert.Equal(("Font", 30, -1), (top.Type, top.Outstanding, top.StackId));
    }

    [Theory]
    [InlineData(0x10u, "Brush")]
    [InlineData(0x0Au, "Font")]
    [InlineData(0x30u, "Pen")]
    [InlineData(0x10_0000u, "Brush")]
    [InlineData(0x7Fu, "gdi#127")]
    public void Gdi_types_are_named_where_known(uint type, string name) =>
        Assert.Equal(name, Win32kTypes.Name(HandleKind.Gdi, HandleTracker.GroupType(type)));

    [Theory]
    [InlineData(1u, "Window")]
    [InlineData(2u, "Menu")]
    [InlineData(3u, "Cursor")]
    [InlineData(99u, "user#99")]
    public void User_types_are_named_where_known(uint type, string name) => Assert.Equal(name, Win32kTypes.Name(HandleKind.User, type));
}
