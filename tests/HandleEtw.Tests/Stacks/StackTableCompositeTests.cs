using HandleEtw.Core.Stacks;

namespace HandleEtw.Tests.Stacks;

public class StackTableCompositeTests
{
    [Fact]
    public void KnownParts_JoinIntoOneInternedStack()
    {
        var t = new StackTable();
        StackPart k = t.InternPart([1, 2]), u = t.InternPart([3]);
        int joined = t.Compose(k, u);
        Assert.Equal([1UL, 2, 3], t.GetFrames(joined).ToArray());
        Assert.Equal(joined, t.Intern([1, 2, 3]));
        Assert.Equal(joined, t.Compose(k, u));
        Assert.Equal(-1, t.Compose(StackPart.None, StackPart.None));
        Assert.Equal(t.Intern([1, 2]), t.Compose(k, StackPart.None));
        Assert.Equal(2, t.DistinctCount); // parts get no stack id of their own
    }

    [Fact]
    public void PendingPart_FillsInWhenBound_ThroughAChain()
    {
        var t = new StackTable();
        StackPart k = t.InternPart([10, 11]);
        StackPart threadSlot = t.NewPendingPart(), userKey = t.NewPendingPart();
        int id = t.Compose(k, threadSlot);
        Assert.False(t.IsResolved(id));
        Assert.Equal([10UL, 11], t.GetFrames(id).ToArray());
        t.Bind(threadSlot, userKey);
        Assert.False(t.IsResolved(id));
        t.Bind(userKey, t.InternPart([20, 21, 22]));
        Assert.True(t.IsResolved(id));
        Assert.Equal([10UL, 11, 20, 21, 22], t.GetFrames(id).ToArray());
        Assert.Equal(0, t.UnboundParts);
        Assert.Equal(id, t.Canonical(id)); // first to show these frames: keeps its id
        Assert.Equal(id, t.Intern([10, 11, 20, 21, 22]));
    }

    [Fact]
    public void ProvisionalId_ForFramesAlreadyKnown_BecomesAnAlias()
    {
        var t = new StackTable();
        StackPart k = t.InternPart([1]), u = t.InternPart([2]);
        int known = t.Compose(k, u);
        StackPart laterKey = t.NewPendingPart();
        int provisional = t.Compose(k, laterKey);
        Assert.NotEqual(known, provisional);
        t.Bind(laterKey, t.InternPart([2]));
        Assert.Equal(known, t.Canonical(provisional));
        Assert.Equal(1, t.Aliases);
        Assert.Equal(1, t.DistinctCount);
        Assert.Equal(known, t.Compose(k, laterKey));
    }

    [Fact]
    public void NeverBoundParts_SettleOnTheirKnownFrames_AtFinish()
    {
        var t = new StackTable();
        int whole = t.Intern([5]);
        StackPart never = t.NewPendingPart();
        int id = t.Compose(t.InternPart([5]), never);
        t.Compose(t.InternPart([5]), never);
        t.Finish();
        Assert.Equal(whole, t.Canonical(id));
        Assert.Equal(1, t.PartialStacks);
        Assert.Equal(2, t.PartialStackEvents);
    }

    [Fact]
    public void ReleasedParts_AreReused()
    {
        var t = new StackTable();
        StackPart a = t.NewPendingPart();
        t.Bind(a, t.InternPart([7]));
        t.Release(a);
        Assert.Equal(a, t.NewPendingPart());
        Assert.True(t.Resolve(a).IsPending);
    }

    [Fact]
    public void SamePendingPair_SharesOneId_UnknownIdsHaveNoFrames()
    {
        var t = new StackTable();
        StackPart a = t.NewPendingPart(), b = t.NewPendingPart();
        Assert.Equal(t.Compose(a, b), t.Compose(a, b));
        Assert.True(t.GetFrames(t.Compose(a, b)).IsEmpty);
        Assert.True(t.GetFrames(12345).IsEmpty);
        Assert.Throws<ArgumentException>(() => t.Bind(StackPart.Frames(0), a));
    }
}
