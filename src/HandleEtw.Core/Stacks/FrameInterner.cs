using System.Numerics;
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

    // Slot + 1 of a sequence seen lately, by a guess from three of its frames: checked frame by frame, it answers
    // most lookups without hashing every frame (a small stack cache redefines the same stacks all the time).
    private const int RecentBits = 16;
    private readonly int[] _recent = new int[1 << RecentBits];

    public int Count => _slots.Count;

    /// <summary>The slot holding exactly these frames, or -1.</summary>
    public int Find(ReadOnlySpan<ulong> frames)
    {
        int guess = RecentIndex(frames);
        int recent = _recent[guess] - 1;
        if (recent >= 0 && this[recent].SequenceEqual(frames)) return recent;
        if (!_byHash.TryGetValue(Hash(frames), out var slots)) return -1;
        foreach (int slot in slots)
        {
            if (!this[slot].SequenceEqual(frames)) continue;
            _recent[guess] = slot + 1;
            return slot;
        }
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
        _recent[RecentIndex(frames)] = slot + 1;
        return slot;
    }

    private static int RecentIndex(ReadOnlySpan<ulong> frames)
    {
        if (frames.IsEmpty) return 0;
        ulong mix = frames[0] ^ BitOperations.RotateLeft(frames[^1], 21) ^ BitOperations.RotateLeft(frames[frames.Length >> 1], 42)
            ^ (ulong)frames.Length;
        return (int)((mix * 0x9E3779B97F4A7C15UL) >> (64 - RecentBits));
    }

    /// <summary>FNV-style over four independent lanes, so one frame's multiply does not wait for the previous
    /// frame's (a cached-stack trace hashes every key definition, tens of frames each), then mixed.</summary>
    private static ulong Hash(ReadOnlySpan<ulong> frames)
    {
        const ulong Prime = 1099511628211UL;
        ulong a = 14695981039346656037UL, b = a ^ 1, c = a ^ 2, d = a ^ 3;
        int i = 0;
        for (; i + 4 <= frames.Length; i += 4)
        {
            a = (a ^ frames[i]) * Prime;
            b = (b ^ frames[i + 1]) * Prime;
            c = (c ^ frames[i + 2]) * Prime;
            d = (d ^ frames[i + 3]) * Prime;
        }
        for (; i < frames.Length; i++) a = (a ^ frames[i]) * Prime;
        ulong h = a ^ BitOperations.RotateLeft(b, 16) ^ BitOperations.RotateLeft(c, 32) ^ BitOperations.RotateLeft(d, 48);
        h = (h ^ (ulong)frames.Length ^ (h >> 33)) * 0xff51afd7ed558ccdUL;
        return h ^ (h >> 29);
    }
}
