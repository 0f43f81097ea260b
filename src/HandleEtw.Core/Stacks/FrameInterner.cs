using System.Numerics;
using System.Runtime.CompilerServices;
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

    // Every slot by the hash of all its frames: open addressing with linear probing, the hash kept beside the slot so
    // a probe compares frames only when the hashes agree.
    private Cell[] _cells = new Cell[16];
    private int _cellShift = 64 - 4;

    // Sequences seen lately, by a guess from their innermost frames (see Guess): two ways per set, each entry a tag
    // from the guess (high half) and slot + 1 (low half). A hit is checked frame by frame; it answers most lookups
    // without hashing every frame (a small stack cache redefines the same stacks all the time), and the tag keeps a
    // line taken by another sequence from costing a read of that sequence's frames.
    private const int RecentSetBits = 14;
    private readonly ulong[] _recent = new ulong[2 << RecentSetBits];

    public int Count => _slots.Count;

    /// <summary>The slot holding exactly these frames, or -1.</summary>
    public int Find(ReadOnlySpan<ulong> frames) => Lookup(frames, out _, out _);

    /// <summary>The slot of these frames, added when new (<paramref name="added"/> says which).</summary>
    public int Intern(ReadOnlySpan<ulong> frames, out bool added)
    {
        int found = Lookup(frames, out ulong hash, out ulong guess);
        added = found < 0;
        return added ? Add(frames, hash, guess) : found;
    }

    /// <summary>Starts loading the recent-sequence entry a lookup of <paramref name="frames"/> reads first.</summary>
    public void Prefetch(ReadOnlySpan<ulong> frames) => Tracking.CacheHint.Prefetch(ref _recent[RecentSet(Guess(frames))]);

    /// <summary>The frames of a slot; valid until the next addition.</summary>
    public ReadOnlySpan<ulong> this[int slot]
    {
        get
        {
            var (start, length) = _slots[slot];
            return CollectionsMarshal.AsSpan(_frames).Slice(start, length);
        }
    }

    /// <summary>The slot of these frames or -1; the guess and the full hash for an addition.</summary>
    private int Lookup(ReadOnlySpan<ulong> frames, out ulong hash, out ulong guess)
    {
        guess = Guess(frames);
        hash = 0;
        int set = RecentSet(guess);
        uint tag = RecentTag(guess);
        ulong first = _recent[set];
        if (IsRecent(first, tag, frames)) return RecentSlot(first);
        ulong second = _recent[set + 1];
        if (IsRecent(second, tag, frames))
        {
            _recent[set] = second; // the more recent way first
            _recent[set + 1] = first;
            return RecentSlot(second);
        }
        hash = Hash(frames);
        int slot = FindByHash(frames, hash);
        if (slot >= 0) Remember(guess, slot);
        return slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsRecent(ulong entry, uint tag, ReadOnlySpan<ulong> frames) =>
        (uint)(entry >> 32) == tag && (uint)entry != 0 && this[RecentSlot(entry)].SequenceEqual(frames);

    private static int RecentSlot(ulong entry) => (int)(uint)entry - 1;

    private void Remember(ulong guess, int slot)
    {
        int set = RecentSet(guess);
        _recent[set + 1] = _recent[set];
        _recent[set] = ((ulong)RecentTag(guess) << 32) | (uint)(slot + 1);
    }

    private int FindByHash(ReadOnlySpan<ulong> frames, ulong hash)
    {
        Cell[] cells = _cells;
        int mask = cells.Length - 1;
        for (int i = (int)(hash >> _cellShift); ; i = (i + 1) & mask)
        {
            Cell c = cells[i];
            if (c.SlotPlusOne == 0) return -1;
            if (c.Hash == hash && this[c.SlotPlusOne - 1].SequenceEqual(frames)) return c.SlotPlusOne - 1;
        }
    }

    private int Add(ReadOnlySpan<ulong> frames, ulong hash, ulong guess)
    {
        int slot = _slots.Count;
        _slots.Add((_frames.Count, frames.Length));
        _frames.AddRange(frames);
        if ((slot + 1) * 4 > _cells.Length * 3) GrowCells();
        Place(_cells, _cellShift, new Cell(hash, slot + 1));
        Remember(guess, slot);
        return slot;
    }

    private void GrowCells()
    {
        Cell[] old = _cells;
        _cells = new Cell[old.Length * 2];
        _cellShift--;
        foreach (Cell c in old)
            if (c.SlotPlusOne != 0) Place(_cells, _cellShift, c);
    }

    private static void Place(Cell[] cells, int shift, Cell cell)
    {
        int mask = cells.Length - 1;
        int i = (int)(cell.Hash >> shift);
        while (cells[i].SlotPlusOne != 0) i = (i + 1) & mask;
        cells[i] = cell;
    }

    private static int RecentSet(ulong guess) => (int)(guess >> (64 - RecentSetBits)) << 1;

    private static uint RecentTag(ulong guess) => (uint)(guess >> 16);

    /// <summary>A guess from the innermost four frames and the length: they tell real stacks apart far better than
    /// the outermost and middle frames do (threads start alike), and lie next to each other.</summary>
    private static ulong Guess(ReadOnlySpan<ulong> frames)
    {
        ulong mix = (ulong)frames.Length;
        if (frames.Length >= 4)
            mix ^= frames[0] ^ BitOperations.RotateLeft(frames[1], 16) ^ BitOperations.RotateLeft(frames[2], 32) ^ BitOperations.RotateLeft(frames[3], 48);
        else
            for (int i = 0; i < frames.Length; i++) mix ^= BitOperations.RotateLeft(frames[i], 16 * i);
        return mix * 0x9E3779B97F4A7C15UL;
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

    private readonly record struct Cell(ulong Hash, int SlotPlusOne);
}
