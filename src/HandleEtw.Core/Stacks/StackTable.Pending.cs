namespace HandleEtw.Core.Stacks;

/// <summary>Pending parts and the provisional ids that wait on them.</summary>
public sealed partial class StackTable
{
    private const int MaxPendingChain = 32;

    // Per pending part: what it was bound to (None while unbound or free).
    private readonly List<StackPart> _pending = new();
    private readonly Stack<int> _freeParts = new();
    private readonly List<Composite> _composites = new();
    private readonly Dictionary<(StackPart Kernel, StackPart User), int> _compositeIds = new();
    private readonly Dictionary<int, List<int>> _waiters = new(); // pending part index → composites
    private int _unsettled;

    /// <summary>Pending parts created and not yet bound to frames.</summary>
    public int UnboundParts { get; private set; }

    /// <summary>Provisional ids that became aliases of an id their frames already had.</summary>
    public int Aliases { get; private set; }

    /// <summary>Stacks whose parts never all came (settled on their known frames by <see cref="Finish"/>), and
    /// the events that carry them.</summary>
    public int PartialStacks { get; private set; }
    public long PartialStackEvents { get; private set; }

    /// <summary>A new part whose frames will be supplied later by <see cref="Bind"/>.</summary>
    public StackPart NewPendingPart()
    {
        UnboundParts++;
        if (_freeParts.TryPop(out int index)) return StackPart.Pending(index);
        _pending.Add(StackPart.None);
        return StackPart.Pending(_pending.Count - 1);
    }

    /// <summary>Supplies a pending part: with frames, or with another (pending) part it stands for. Provisional ids
    /// waiting on it settle now, so the first stack to show a frame sequence keeps it as its own.</summary>
    public void Bind(StackPart pending, StackPart target)
    {
        int index = pending.PendingIndex;
        if (index < 0 || index >= _pending.Count) throw new ArgumentException("not a pending part", nameof(pending));
        if (!_pending[index].IsNone || target.IsNone) return;
        target = Resolve(target);
        if (target == pending) return;
        _pending[index] = target;
        UnboundParts--;
        if (!_waiters.Remove(index, out List<int>? waiting)) return;
        foreach (int c in waiting) Advance(c);
    }

    /// <summary>
    /// The part is bound and nothing can name it any more (every event that held it has been emitted): its slot is
    /// reused, so memory follows the keys alive at once, not the keys a trace ever used.
    /// </summary>
    public void Release(StackPart part)
    {
        int index = part.PendingIndex;
        if (index < 0 || index >= _pending.Count || _pending[index].IsNone || _waiters.ContainsKey(index)) return;
        _pending[index] = StackPart.None;
        _freeParts.Push(index);
    }

    /// <summary>Follows bound pending parts to frames where possible.</summary>
    public StackPart Resolve(StackPart part)
    {
        for (int hop = 0; hop < MaxPendingChain && part.IsPending; hop++)
        {
            StackPart next = _pending[part.PendingIndex];
            if (next.IsNone) return part;
            part = next;
        }
        return part;
    }

    /// <summary>End of input: every provisional id still waiting settles on the frames it has (counted as partial).</summary>
    public void Finish()
    {
        _waiters.Clear();
        _compositeIds.Clear();
        for (int i = 0; i < _composites.Count; i++)
        {
            Composite c = _composites[i];
            if (c.Resolved >= 0) continue;
            PartialStacks++;
            PartialStackEvents += c.Events;
            Settle(i, KnownFrames(Resolve(c.Kernel), Resolve(c.User)), partial: true);
        }
    }

    private int ProvisionalId(StackPart kernel, StackPart user)
    {
        if (_compositeIds.TryGetValue((kernel, user), out int index))
        {
            Composite existing = _composites[index];
            _composites[index] = existing with { Events = existing.Events + 1 };
            return existing.Id;
        }
        int id = _entries.Count;
        index = _composites.Count;
        _entries.Add(~index);
        _composites.Add(new Composite(id, kernel, user, Resolved: -1, Events: 1, Partial: false));
        _compositeIds.Add((kernel, user), index);
        _unsettled++;
        Wait(index, kernel.IsPending ? kernel : user);
        return id;
    }

    private void Wait(int composite, StackPart part)
    {
        if (!_waiters.TryGetValue(part.PendingIndex, out List<int>? list)) _waiters.Add(part.PendingIndex, list = new List<int>(1));
        list.Add(composite);
    }

    /// <summary>One of the composite's parts was bound: wait on the next pending part, or settle.</summary>
    private void Advance(int index)
    {
        Composite c = _composites[index];
        if (_compositeIds.TryGetValue((c.Kernel, c.User), out int owner) && owner == index) _compositeIds.Remove((c.Kernel, c.User));
        StackPart kernel = Resolve(c.Kernel), user = Resolve(c.User);
        _composites[index] = c with { Kernel = kernel, User = user };
        if (kernel.IsPending || user.IsPending)
        {
            _compositeIds.TryAdd((kernel, user), index);
            Wait(index, kernel.IsPending ? kernel : user);
            return;
        }
        Settle(index, JoinFrames(kernel, user), partial: false);
        _joined.TryAdd((kernel.StackId, user.StackId), _composites[index].Resolved);
    }

    /// <summary>The composite's frames are final: it keeps them as its own id if they are new, else it becomes an
    /// alias of the id they already have.</summary>
    private void Settle(int index, ReadOnlySpan<ulong> frames, bool partial)
    {
        Composite c = _composites[index];
        int slot = _stacks.Find(frames);
        int resolved;
        if (slot >= 0)
        {
            resolved = _idOfSlot[slot];
            Aliases++;
        }
        else
        {
            slot = _stacks.Intern(frames, out _);
            _idOfSlot.Add(c.Id);
            _entries[c.Id] = slot;
            resolved = c.Id;
        }
        _composites[index] = c with { Resolved = resolved, Partial = partial };
        _unsettled--;
    }

    /// <summary>A provisional id: its parts as last seen, and the id it settled on (-1 until then).</summary>
    private readonly record struct Composite(int Id, StackPart Kernel, StackPart User, int Resolved, long Events, bool Partial);
}
