namespace HandleEtw.Core.Stacks;

/// <summary>
/// Interns stacks: each distinct frame sequence is stored once and named by a small int, its stack id. Frame 0 is the
/// innermost address. Memory grows with distinct stacks (and stacks still waiting for a part), never with events.
/// <para>
/// Events get their id when the stack join emits them. Their stack is then usually whole (kernel part + user part,
/// fragments interned separately as <see cref="StackPart"/>s), but a part may still be pending: a cached stack key
/// not yet defined, a user fragment not yet logged. Such an event gets a provisional id at once. When its parts are
/// bound the id takes the joined frames if they are new, or becomes an alias of the id those frames already have
/// (<see cref="Canonical"/>); at <see cref="Finish"/> a stack whose parts never came settles on its known frames.
/// So after <see cref="Finish"/> equal frames have one canonical id, and only canonical ids have rows.
/// </para>
/// </summary>
public sealed partial class StackTable
{
    private readonly FrameInterner _stacks = new();
    private readonly FrameInterner _parts = new();

    // Per id: >= 0 the slot of its frames in _stacks; < 0 ~index of its composite.
    private readonly List<int> _entries = new();
    private readonly List<int> _idOfSlot = new();
    // Kernel + user part pair → the id of the two joined, asked once per event: one flat-map probe (part ids never
    // change meaning, so an answer stays right).
    private readonly KeyMap<int> _joined = new();
    private ulong[] _scratch = new ulong[256];

    /// <summary>Ids are below this (canonical ones and aliases).</summary>
    public int Count => _entries.Count;

    /// <summary>Distinct frame sequences (the canonical ids), plus provisional ids not settled yet.</summary>
    public int DistinctCount => _stacks.Count + _unsettled;

    /// <summary>Returns the id of this frame sequence, adding it if new.</summary>
    public int Intern(ReadOnlySpan<ulong> frames)
    {
        int slot = _stacks.Intern(frames, out bool added);
        if (!added) return _idOfSlot[slot];
        int id = _entries.Count;
        _entries.Add(slot);
        _idOfSlot.Add(id);
        return id;
    }

    /// <summary>A kernel or user fragment, interned apart from whole stacks (it gets no stack id of its own).</summary>
    public StackPart InternPart(ReadOnlySpan<ulong> frames) => StackPart.Frames(_parts.Intern(frames, out _));

    /// <summary>Starts loading what <see cref="InternPart"/> of these frames reads first.</summary>
    public void PrefetchPart(ReadOnlySpan<ulong> frames) => _parts.Prefetch(frames);

    /// <summary>
    /// Frames of a stack, innermost first. For a provisional id whose parts are not all bound yet: the frames known
    /// so far. The span is valid until the next call that adds to the table.
    /// </summary>
    public ReadOnlySpan<ulong> GetFrames(int id)
    {
        if ((uint)id >= (uint)_entries.Count) return default;
        int entry = _entries[id];
        if (entry >= 0) return _stacks[entry];
        Composite c = _composites[~entry];
        return c.Resolved >= 0 ? GetFrames(c.Resolved) : KnownFrames(Resolve(c.Kernel), Resolve(c.User));
    }

    /// <summary>The id that stands for this id's frames: itself, or the id its frames already had when they became
    /// known. Ids out of range (and -1, no stack) come back unchanged.</summary>
    public int Canonical(int id)
    {
        if ((uint)id >= (uint)_entries.Count) return id;
        int entry = _entries[id];
        if (entry >= 0) return id;
        int resolved = _composites[~entry].Resolved;
        return resolved >= 0 ? resolved : id;
    }

    /// <summary>True when every part of the stack is known (always true for plain interned stacks).</summary>
    public bool IsResolved(int id)
    {
        if ((uint)id >= (uint)_entries.Count) return false;
        int entry = _entries[id];
        if (entry >= 0) return true;
        Composite c = _composites[~entry];
        return c.Resolved >= 0 && !c.Partial;
    }

    /// <summary>
    /// The id of kernel part (innermost frames) + user part. Known parts are joined into one interned stack; otherwise
    /// a provisional id is returned that settles when its pending parts are bound. -1 when both parts are none.
    /// </summary>
    public int Compose(StackPart kernel, StackPart user)
    {
        kernel = Resolve(kernel);
        user = Resolve(user);
        if (kernel.IsNone && user.IsNone) return -1;
        if (kernel.IsPending || user.IsPending) return ProvisionalId(kernel, user);
        ref int id = ref _joined.GetOrAdd(PairKey(kernel, user), out bool existed);
        if (!existed) id = Intern(JoinFrames(kernel, user)); // Intern adds nothing to _joined: the slot stays valid
        return id;
    }

    /// <summary>Starts loading the map entry <see cref="Compose"/> will read first for these parts (as they stand now:
    /// a part bound meanwhile makes it a wasted load, nothing more).</summary>
    public void PrefetchCompose(StackPart kernel, StackPart user)
    {
        if (kernel.IsNone && user.IsNone) return;
        (kernel.IsPending || user.IsPending ? _compositeIds : _joined).Prefetch(PairKey(kernel, user));
    }

    /// <summary>Kernel frames then user frames of two known parts, in a scratch buffer.</summary>
    private ReadOnlySpan<ulong> JoinFrames(StackPart kernel, StackPart user)
    {
        ReadOnlySpan<ulong> k = kernel.IsFrames ? _parts[kernel.StackId] : default;
        ReadOnlySpan<ulong> u = user.IsFrames ? _parts[user.StackId] : default;
        int total = k.Length + u.Length;
        if (_scratch.Length < total) _scratch = new ulong[total];
        k.CopyTo(_scratch);
        u.CopyTo(_scratch.AsSpan(k.Length));
        return _scratch.AsSpan(0, total);
    }

    private ulong[] KnownFrames(StackPart kernel, StackPart user) => JoinFrames(kernel, user).ToArray();
}
