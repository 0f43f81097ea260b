using HandleEtw.Core.Stacks;

namespace HandleEtw.Etl.Stacks;

/// <summary>
/// Cached stack keys of one table (kernel or user): each referenced key's pending part in the <see cref="StackTable"/>
/// until its definition, and its last definition, for references merged after it. Asked once per stack-key record,
/// so both live in one entry of a flat open-addressing map (one probe per record), bounded by the keys of the cache.
/// </summary>
internal sealed class PendingKeys(StackTable stacks)
{
    private readonly KeyMap<KeyState> _keys = new();

    /// <summary>Keys still waiting for their frames.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The part a reference to <paramref name="key"/> names: the pending part of the key's current lifetime, created
    /// on its first reference. A reference merged after the definition that ended its lifetime (same timestamp on
    /// another CPU, or an earlier one: the end rundown is logged on any CPU) takes that definition's frames.
    /// </summary>
    public StackPart PartFor(ulong key, long timestamp, ushort cpu)
    {
        ref KeyState state = ref _keys.GetOrAdd(key, out _);
        if (!state.Pending.IsNone) return state.Pending;
        if (!state.Defined.IsNone)
        {
            if (timestamp < state.DefinedAt || (timestamp == state.DefinedAt && cpu != state.DefinedOn)) return state.Defined;
            state.Defined = StackPart.None; // a newer reference: the key's next lifetime
        }
        Count++;
        return state.Pending = stacks.NewPendingPart();
    }

    /// <summary>Starts loading the entry <see cref="PartFor"/> will read for <paramref name="key"/>.</summary>
    public void Prefetch(ulong key) => _keys.Prefetch(key);

    /// <summary>The key is defined: hands back its pending part (false when nothing referenced it yet). The
    /// definition is kept for a reference logged before it but merged after; a later reference starts a new part.</summary>
    public bool Remove(ulong key, StackPart frames, long timestamp, ushort cpu, out StackPart pending)
    {
        ref KeyState state = ref _keys.GetOrAdd(key, out _);
        state.Defined = frames;
        state.DefinedAt = timestamp;
        state.DefinedOn = cpu;
        pending = state.Pending;
        if (pending.IsNone) return false;
        state.Pending = StackPart.None;
        Count--;
        return true;
    }

    /// <summary>One key: the pending part of its current lifetime (None once defined), and its last definition
    /// (None until one, and again once a newer reference started the next lifetime).</summary>
    private struct KeyState
    {
        public StackPart Pending;
        public StackPart Defined;
        public long DefinedAt;
        public ushort DefinedOn;
    }
}
