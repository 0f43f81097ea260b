using HandleEtw.Core.Stacks;
using Xunit;

namespace HandleEtw.Tests.Stacks;

public class RecentCacheTests
{
    [Fact]
    public void Remembers_and_never_confuses_colliding_keys()
    {
        var cache = new RecentCache<int>(bits: 2); // 4 lines: keys collide often
        Assert.False(cache.TryGet(0, out _));      // an empty line is not key 0
        var reference = new Dictionary<ulong, int>();
        var random = new Random(11);
        int hits = 0;
        for (int step = 0; step < 10_000; step++)
        {
            ulong key = (ulong)random.Next(16) * 0x1_0000_0001UL;
            if (cache.TryGet(key, out int value))
            {
                Assert.Equal(reference[key], value); // a hit is always right
                hits++;
            }
            else
            {
                reference[key] = step;
                cache.Set(key, step);
            }
        }
        Assert.InRange(hits, 1, 9_999); // some keys stay, colliding ones evict each other
    }
}
