using System.Runtime.InteropServices;

namespace HandleEtw.Core.Stacks;

/// <summary>
/// Interns stacks: each distinct frame sequence is stored once and named by a small int. Frame 0 is the innermost
/// address. Memory grows with distinct stacks, never with events.
/// </summary>
public sealed class StackTable
{
    private readonly List<ulong> _frames = new();
    private readonly List<(int Start, int Length)> _stacks = new();
    private readonly Dictionary<ulong, List<int>> _byHash = new();

    public int Count => _stacks.Count;

    /// <summary>Returns the id of this frame sequence, adding it if new.</summary>
    public int Intern(ReadOnlySpan<ulong> frames)
    {
        ulong hash = Hash(frames);
        if (_byHash.TryGetValue(hash, out var ids))
        {
            foreach (int id in ids)
                if (GetFrames(id).SequenceEqual(frames)) return id;
        }
        else
        {
            ids = new List<int>(1);
            _byHash.Add(hash, ids);
        }
        int newId = _stacks.Count;
        _stacks.Add((_frames.Count, frames.Length));
        foreach (ulong f in frames) _frames.Add(f);
        ids.Add(newId);
        return newId;
    }

    public ReadOnlySpan<ulong> GetFrames(int id)
    {
        if ((uint)id >= (uint)_stacks.Count) return default;
        var (start, length) = _stacks[id];
        return CollectionsMarshal.AsSpan(_frames).Slice(start, length);
    }

    private static ulong Hash(ReadOnlySpan<ulong> frames)
    {
        ulong h = 14695981039346656037UL;
        foreach (ulong f in frames) h = (h ^ f) * 1099511628211UL;
        return h ^ (ulong)frames.Length;
    }
}
