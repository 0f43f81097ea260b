using HandleEtw.Core.Stacks;

namespace HandleEtw.Tests.Stacks;

public class StackInterningTests
{
    [Fact]
    public void Sequences_alike_in_their_first_middle_and_last_frames_keep_apart()
    {
        // Same length, same first four, middle and last frames: a quick guess cannot tell them apart, only all frames can.
        var t = new StackTable();
        var ids = new List<int>();
        for (ulong v = 0; v < 50; v++) ids.Add(t.Intern(Alike(v)));
        Assert.Equal(50, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 50), ids); // ids in first-seen order
        for (int round = 0; round < 3; round++)
            for (ulong v = 0; v < 50; v++)
            {
                int id = t.Intern(Alike(v));
                Assert.Equal(ids[(int)v], id);
                Assert.Equal(Alike(v), t.GetFrames(id).ToArray());
            }
        Assert.Equal(50, t.DistinctCount);
    }

    private static ulong[] Alike(ulong v) => [1, 2, 3, 4, 100 + v, 6, 200 + v, 8, 9, 10, 11];

    [Fact]
    public void Many_sequences_are_found_again_by_content()
    {
        var t = new StackTable();
        var random = new Random(5);
        var sequences = Enumerable.Range(0, 20_000)
            .Select(i => Enumerable.Range(0, 1 + random.Next(12)).Select(_ => (ulong)random.Next(64)).Append((ulong)i).ToArray())
            .ToArray();
        int[] ids = sequences.Select(s => t.Intern(s)).ToArray();
        Assert.Equal(Enumerable.Range(0, sequences.Length), ids);
        Assert.Equal(sequences.Length, t.DistinctCount);
        for (int i = sequences.Length - 1; i >= 0; i--)
        {
            Assert.Equal(ids[i], t.Intern(sequences[i]));
            Assert.Equal(sequences[i], t.GetFrames(ids[i]).ToArray());
        }
        Assert.Equal(sequences.Length, t.Intern([])); // the empty sequence is one more
        Assert.Equal(sequences.Length, t.Intern([]));
    }

    [Fact]
    public void Equal_parts_compose_to_one_id_however_often_asked()
    {
        var t = new StackTable();
        StackPart[] kernels = Enumerable.Range(0, 300).Select(i => t.InternPart([0xFFFF_F800_0000_0000UL + (ulong)i])).ToArray();
        StackPart[] users = Enumerable.Range(0, 30).Select(i => t.InternPart([0x7FF0_0000UL + (ulong)i, 0x7FF1_0000UL])).ToArray();
        var byPair = new Dictionary<(int, int), int>();
        for (int round = 0; round < 2; round++)
            for (int k = 0; k < kernels.Length; k++)
                for (int u = 0; u < users.Length; u++)
                {
                    int id = t.Compose(kernels[k], users[u]);
                    if (round == 0) byPair.Add((k, u), id);
                    else Assert.Equal(byPair[(k, u)], id);
                    Assert.Equal([0xFFFF_F800_0000_0000UL + (ulong)k, 0x7FF0_0000UL + (ulong)u, 0x7FF1_0000UL], t.GetFrames(id).ToArray());
                }
        Assert.Equal(kernels.Length * users.Length, byPair.Values.Distinct().Count());
    }
}
