using System.Runtime.CompilerServices;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Tests.Stacks;

public class KeyMapTests
{
    [Fact]
    public void Random_adds_finds_and_removes_agree_with_a_dictionary()
    {
        var random = new Random(42);
        var map = new KeyMap<int>();
        var expected = new Dictionary<ulong, int>();
        for (int step = 0; step < 200_000; step++)
        {
            // Few distinct keys, some colliding in their low bits, so probe runs form and break up often.
            ulong key = (ulong)random.Next(3_000) << (random.Next(2) == 0 ? 0 : 32);
            switch (random.Next(3))
            {
                case 0:
                    ref int slot = ref map.GetOrAdd(key, out bool existed);
                    Assert.Equal(expected.ContainsKey(key), existed);
                    slot = step;
                    expected[key] = step;
                    break;
                case 1:
                    Assert.Equal(expected.Remove(key, out int removed), map.Remove(key, out int got));
                    if (got != 0 || removed != 0) Assert.Equal(removed, got);
                    break;
                default:
                    ref int found = ref map.Find(key);
                    Assert.Equal(expected.TryGetValue(key, out int value), !Unsafe.IsNullRef(ref found));
                    if (!Unsafe.IsNullRef(ref found)) Assert.Equal(value, found);
                    break;
            }
            Assert.Equal(expected.Count, map.Count);
        }
        Assert.Equal(expected.Values.Order(), map.Values.Order());
    }

    [Fact]
    public void Key_zero_and_the_largest_key_are_ordinary_keys()
    {
        var map = new KeyMap<int>();
        map.GetOrAdd(0, out _) = 1;
        map.GetOrAdd(ulong.MaxValue, out _) = 2;
        Assert.Equal(1, map.Find(0));
        Assert.Equal(2, map.Find(ulong.MaxValue));
        Assert.True(map.Remove(0, out int zero));
        Assert.Equal(1, zero);
        Assert.True(Unsafe.IsNullRef(ref map.Find(0)));
        Assert.Equal(1, map.Count);
    }
}
