using HandleEtw.Core.Analysis;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Tests.Tracking;

public class MisuseTests
{
    private const ulong FirstClose = 0x1000, StaleClose = 0x1001, Create = 0x2000, CrossedClose = 0x2001, OtherCreate = 0x3000;
    private const int X = 10, Y = 20, Z = 30;

    /// <summary>X creates and closes H, Y opens H, X closes H again; optionally Z opens H and Y closes it.</summary>
    private static EventScript DoubleClose(EventScript s, uint h, bool crossed, ushort zType = 1)
    {
        s.Create(100, X, h, 0xA, 1, 0x0900).Close(100, X, h, 0xA, 1, FirstClose)
         .Create(100, Y, h, 0xB, 1, Create)
         .Close(100, X, h, 0xB, 1, StaleClose);
        if (crossed) s.Create(100, Z, h, 0xC, zType, OtherCreate).Close(100, Y, h, 0xC, zType, CrossedClose);
        return s;
    }

    [Fact]
    public void Stale_close_is_a_suspect_with_its_stacks()
    {
        var s = DoubleClose(new EventScript(), 0x40, crossed: false);
        MisuseReport r = MisuseAnalysis.Build(s.Track(), s.Context(), ProcessFilter.All);
        MisuseSuspect m = Assert.Single(r.Suspects);
        Assert.Equal((100, 0x40u, 1, 0.6), (m.Pid, m.Handle, m.Count, m.Confidence));
        Assert.Equal(["0x1000"], m.Stacks.FirstClose);
        Assert.Equal(["0x2000"], m.Stacks.Create);
        Assert.Equal(["0x1001"], m.Stacks.StaleClose);
        Assert.Null(m.Stacks.CrossedClose);
    }

    [Fact]
    public void Crossed_close_of_another_type_raises_confidence()
    {
        var s = DoubleClose(new EventScript(), 0x40, crossed: true, zType: 7);
        MisuseSuspect m = Assert.Single(MisuseAnalysis.Build(s.Track(), s.Context(), ProcessFilter.All).Suspects);
        Assert.Equal(0.95, m.Confidence);
        Assert.Equal(["0x2001"], m.Stacks.CrossedClose);
        Assert.Equal(1, m.Count);
    }

    [Fact]
    public void Suspects_rank_by_how_often_the_stale_close_stack_recurs()
    {
        var s = new EventScript();
        DoubleClose(s, 0x40, crossed: false);
        DoubleClose(s, 0x44, crossed: false);
        DoubleClose(s, 0x48, crossed: false);
        s.Create(100, 40, 0x60, 0xA).Close(100, 40, 0x60, 0xA, 1, 0x5000).Create(100, 41, 0x60, 0xB).Close(100, 40, 0x60, 0xB, 1, 0x5001);
        var suspects = MisuseAnalysis.Build(s.Track(), s.Context(), ProcessFilter.All).Suspects;
        Assert.Equal(2, suspects.Count);
        Assert.Equal(3, suspects[0].Count);
        Assert.Equal(["0x1001"], suspects[0].Stacks.StaleClose);
    }

    [Fact]
    public void Hand_over_to_pool_threads_is_not_flagged()
    {
        var s = new EventScript();
        int[] pool = [50, 51, 52];
        for (int i = 0; i < 300; i++)
        {
            uint h = (uint)(0x40 + 4 * (i % 3));                  // values reused
            ulong obj = (ulong)(0x10000 + i);
            s.Create(100, 7, h, obj, 1, 0x7000)                   // one creator
             .Close(100, pool[i / 6 % 3], h, obj, 1, 0x7100); // pool threads close, the same one twice in a row per value
        }
        HandleTracker t = s.Track();
        Assert.Empty(MisuseAnalysis.Build(t, s.Context(), ProcessFilter.All).Suspects);
    }

    [Fact]
    public void Unconfirmed_pattern_is_reported_only_when_a_crossed_close_follows()
    {
        // X closes Q's object (hand-over), Y opens, X closes Y's: fits, but X never owned the value.
        var s = new EventScript()
            .Create(100, Z, 0x40, 0xA).Close(100, X, 0x40, 0xA, 1, FirstClose)
            .Create(100, Y, 0x40, 0xB, 1, Create).Close(100, X, 0x40, 0xB, 1, StaleClose);
        Assert.Empty(MisuseAnalysis.Build(s.Track(), s.Context(), ProcessFilter.All).Suspects);
        s.Create(100, 60, 0x40, 0xC, 1, OtherCreate).Close(100, Y, 0x40, 0xC, 1, CrossedClose);
        MisuseSuspect m = Assert.Single(MisuseAnalysis.Build(s.Track(), s.Context(), ProcessFilter.All).Suspects);
        Assert.Equal(0.9, m.Confidence);
    }
}
