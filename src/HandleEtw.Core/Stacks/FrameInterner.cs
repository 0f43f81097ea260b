using System.Runtime.InteropServices;

namespace HandleEtw.Core.Stacks;

/// <summary>
/// Frame sequences stored once each, named by dense slot numbers in the order they were first added. Memory grows
/// with distinct sequences only.
/// </summary>
internal sealed class FrameInterner
{
    private readonly List<ulong> _frames = new();
    private readonly List<(int Start, int Length)> _slots = new();
    private readonly Dictionary<ulong, List<int>> _byHash = new();

    public int Count => _slots.Count;

    /// <summary>The slot holding exactly these frames, or -1.</summary>
    public int Find(ReadOnlySpan<ulong> frames)
    {
        if (!_byHash.TryGetValue(Hash(frames), out var slots)) return -1;
        foreach (int slot in slots)
            if (this[slot].SequenceEqual(frames)) return slot;
        return -1;
    }

    /// <summary>The slot of these frames, added when new (<paramref name="added"/> says which).</summary>
    public int Intern(ReadOnlySpan<ulong> frames, out bool added)
    {
        int found = Find(frames);
        added = found < 0;
        return added ? Add(frames) : found;
    }

    /// <summary>The frames of a slot; valid until the next addition.</summary>
    public ReadOnlySpan<ulong> this[int slot]
    {
        get
        {
            var (start, length) = _slots[slot];
            return CollectionsMarshal.AsSpan(_frames).Slice(start, length);
        }
    }

    private int Add(ReadOnlySpan<ulong> frames)
    {
        ulong hash = Hash(frames);
        if (!_byHash.TryGetValue(hash, out var slots)) _byHash.Add(hash, slots = new List<int>(1));
        int slot = _slots.Count;
        _slots.Add((_frames.Count, frames.Length));
        foreach (ulong f in frames) _frames.Add(f);
        slots.Add(slot);
        return slot;
    }

    private static ulong Hash(ReadOnlySpan<ulong> frames)
    {
        ulong h = 14695981039346656037UL;
        foreach (ulong f in frames) h = (h ^ f) * 1099511628211UL;
        return h ^ (ulong)frames.Length;
    }
}
