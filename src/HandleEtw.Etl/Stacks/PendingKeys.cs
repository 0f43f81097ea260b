using System.Runtime.CompilerServices;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Etl.Stacks;

/// <summary>
/// Cached stack keys of one table (kernel or user): each referenced key's pending part in the <see cref="StackTable"/>
/// until its definition, and each definition that found no reference yet. Asked once per stack-key record, so both
/// are flat open-addressing maps, bounded by the keys of the cache.
/// </summary>
internal sealed class PendingKeys(StackTable stacks)
{
    private readonly KeyMap<StackPart> _parts = new();
    private readonly KeyMap<Definition> _unclaimed = new(); // the last definition of each key

    /// <summary>Keys still waiting for their frames.</summary>
    public int Count => _parts.Count;

    /// <summary>
    /// The part a reference to <paramref name="key"/> names: the pending part of the key's current lifetime, created
    /// on its first reference. A reference merged after the definition that ended its lifetime (same timestamp on
    /// another CPU, or an earlier one: the end rundown is logged on any CPU) takes that definition's frames.
    /// </summary>
    public StackPart PartFor(ulong key, long timestamp, ushort cpu)
    {
        ref StackPart current = ref _parts.Find(key);
        if (!Unsafe.IsNullRef(ref current)) return current;
        ref Definition defined = ref _unclaimed.Find(key);
        if (!Unsafe.IsNullRef(ref defined))
        {
            Definition d = defined;
            if (timestamp < d.Timestamp || (timestamp == d.Timestamp && cpu != d.Cpu)) return d.Frames;
            _unclaimed.Remove(key, out _); // a newer reference: the key's next lifetime
        }
        StackPart part = stacks.NewPendingPart();
        _parts.GetOrAdd(key, out _) = part;
        return part;
    }

    /// <summary>The key is defined: hands back its pending part (false when nothing referenced it yet). The
    /// definition is kept for a reference logged before it but merged after; a later reference starts a new part.</summary>
    public bool Remove(ulong key, StackPart frames, long timestamp, ushort cpu, out StackPart pending)
    {
        _unclaimed.GetOrAdd(key, out _) = new Definition(frames, timestamp, cpu);
        return _parts.Remove(key, out pending);
    }

    private readonly record struct Definition(StackPart Frames, long Timestamp, ushort Cpu);
}
