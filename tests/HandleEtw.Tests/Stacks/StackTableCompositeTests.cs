using HandleEtw.Core.Stacks;

namespace HandleEtw.Tests.Stacks;

public class StackTableCompositeTests
{
    [Fact]
    public void KnownParts_JoinIntoOneInternedStack()
    {
        var t = new StackTable();
        int k = t.Intern([1, 2]), u = t.Intern([3]);
        int joined = t.Compose(StackPart.Frames(k), StackPart.Frames(u));
        Assert.Equal([1UL, 2, 3], t.GetFrames(joined).ToArray());
        Assert.Equal(joined, t.Intern([1, 2, 3]));
        Assert.Equal(joined, t.Compose(StackPart.Frames(k), StackPart.Frames(u)));
        Assert.Equal(-1, t.Compose(StackPart.None, StackPart.None));
        Assert.Equal(k, t.Compose(StackPart.Frames(k), StackPart.None));
    }

    [Fact]
    public void PendingPart_FillsInWhenBound_ThroughAChain()
    {
        var t = new StackTable();
        int k = t.Intern([10, 11]);
        StackPart threadSlot = t.NewPendingPart(), userKey = t.NewPendingPart();
        int id = t.Compose(StackPart.Frames(k), threadSlot);
        Assert.False(t.IsResolved(id));
        Assert.Equal([10UL, 11], t.GetFrames(id).ToArray());
        t.Bind(threadSlot, userKey);
        Assert.False(t.IsResolved(id));
        t.Bind(userKey, StackPart.Frames(t.Intern([20, 21, 22])));
        Assert.True(t.IsResolved(id));
        Assert.Equal([10UL, 11, 20, 21, 22], t.GetFrames(id).ToArray());
        Assert.Equal(0, t.UnboundParts);
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
