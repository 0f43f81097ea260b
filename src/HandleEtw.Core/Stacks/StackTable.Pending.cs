using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HandleEtw.Core.Stacks;

/// <summary>Pending parts and the provisional ids that wait on them.</summary>
public sealed partial class StackTable
{
    private const int MaxPendingChain = 32;

    // Per pending part: what it was bound to (None while unbound or free).
    private readonly List<StackPart> _pending = new();
    private readonly Stack<int> _freeParts = new();
    private readonly List<Composite> _composites = new();
    private readonly KeyMap<int> _compositeIds = new(); // (kernel, user) pair → composite index, asked per event
    private readonly List<List<int>?> _waiters = new(); // by pending part index: the composites waiting on it
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
        _waiters.Add(null);
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
        List<int>? waiting = _waiters[index];
        if (waiting is null) return;
        _waiters[index] = null;
        foreach (int c in waiting) Advance(c);
    }

    /// <summary>
    /// The part is bound and nothing can name it any more (every event that held it has been emitted): its slot is
    /// reused, so memory follows the keys alive at once, not the keys a trace ever used.
    /// </summary>
    public void Release(StackPart part)
    {
        int index = part.PendingIndex;
        if (index < 0 || index >= _pending.Count || _pending[index].IsNone || _waiters[index] is not null) return;
        _pending[index] = StackPart.None;
        _freeParts.Push(index);
    }

    /// <summary>Follows bound pending parts to frames where possible.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StackPart Resolve(StackPart part) => part.IsPending ? ResolvePending(part) : part;

    private StackPart ResolvePending(StackPart part)
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
        CollectionsMarshal.AsSpan(_waiters).Clear();
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
        ref int known = ref _compositeIds.GetOrAdd(PairKey(kernel, user), out bool existed);
        if (existed)
        {
            ref Composite existing = ref CompositeAt(known);
            existing.Events++;
            return existing.Id;
        }
        int id = _entries.Count;
        int index = _composites.Count;
        known = index;
        _entries.Add(~index);
        _composites.Add(new Composite(id, kernel, user, Resolved: -1, Events: 1, Partial: false));
        _unsettled++;
        Wait(index, kernel.IsPending ? kernel : user);
        return id;
    }

    private void Wait(int composite, StackPart part)
    {
        (_waiters[part.PendingIndex] ??= new List<int>(1)).Add(composite);
    }

    /// <summary>One of the composite's parts was bound: wait on the next pending part, or settle.</summary>
    private void Advance(int index)
    {
        ref Composite c = ref CompositeAt(index);
        ref int owner = ref _compositeIds.Find(PairKey(c.Kernel, c.User));
        if (!Unsafe.IsNullRef(ref owner) && owner == index) _compositeIds.Remove(PairKey(c.Kernel, c.User), out _);
        StackPart kernel = Resolve(c.Kernel), user = Resolve(c.User);
        c.Kernel = kernel;
        c.User = user;
        if (kernel.IsPending || user.IsPending)
        {
            ref int waiting = ref _compositeIds.GetOrAdd(PairKey(kernel, user), out bool taken);
            if (!taken) waiting = index;
            Wait(index, kernel.IsPending ? kernel : user);
            return;
        }
        Settle(index, JoinFrames(kernel, user), partial: false);
        ref int joined = ref _joined.GetOrAdd(PairKey(kernel, user), out bool known);
        if (!known) joined = _composites[index].Resolved;
    }

    /// <summary>The composite's frames are final: it keeps them as its own id if they are new, else it becomes an
    /// alias of the id they already have.</summary>
    private void Settle(int index, ReadOnlySpan<ulong> frames, bool partial)
    {
        ref Composite c = ref CompositeAt(index);
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
        c.Resolved = resolved;
        c.Partial = partial;
        _unsettled--;
    }

    private ref Composite CompositeAt(int index) => ref CollectionsMarshal.AsSpan(_composites)[index];

    /// <summary>A pair of parts as one map key (part ids never change meaning while a composite names them).</summary>
    private static ulong PairKey(StackPart kernel, StackPart user) => ((ulong)kernel.Raw << 32) | user.Raw;

    /// <summary>A provisional id: its parts as last seen, and the id it settled on (-1 until then).</summary>
    private record struct Composite(int Id, StackPart Kernel, StackPart User, int Resolved, long Events, bool Partial);
}
