using HandleEtw.Core.Events;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Live;

public class RundownComparisonTests
{
    private static HandleEvent Row(int pid, uint handle, ulong obj) =>
        new() { Op = HandleOp.RundownEnd, ProcessId = pid, Handle = handle, Object = obj };

    [Fact]
    public void Differences_are_classified_and_other_processes_ignored()
    {
        var table = new Dictionary<HandleKey, ulong>
        {
            [new(1, 4)] = 0xA,
            [new(1, 8)] = 0xB,
            [new(1, 12)] = 0xC,
            [new(4, 0x80000044)] = 0xD,
            [new(9, 4)] = 0xE, // pid 9 not in the rundown: not compared
        };
        var rows = new[] { Row(1, 4, 0xA), Row(1, 8, 0xFF), Row(1, 16, 0x1), Row(777, 0x80000044, 0xD) };
        var diff = RundownDifferences.Compare(table, rows);
        Assert.Equal(2, diff.Matching); // (1,4) and the kernel handle routed to pid 4
        Assert.Equal(new[] { new HandleKey(1, 8) }, diff.ObjectMismatch);
        Assert.Equal(new[] { new HandleKey(1, 16) }, diff.OnlyInRundown);
        Assert.Equal(new[] { new HandleKey(1, 12) }, diff.OnlyInTable);
        Assert.False(diff.Agrees);
    }

    [Fact]
    public void No_rundown_says_so()
    {
        var diff = RundownDifferences.Compare(new Dictionary<HandleKey, ulong>(), []);
        Assert.True(diff.Agrees);
        Assert.Contains("none delivered", diff.Summary());
    }
}
