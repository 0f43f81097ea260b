using System.Runtime.InteropServices;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Etl.Stacks;

/// <summary>
/// Cached stack keys referenced and not yet defined (one table for kernel keys, one for user keys): each key's pending
/// part in the <see cref="StackTable"/>, with a small cache in front because the same keys come back again and again.
/// </summary>
internal sealed class PendingKeys(StackTable stacks)
{
    private readonly Dictionary<ulong, StackPart> _parts = new();
    private readonly RecentCache<StackPart> _recent = new(bits: 13);

    /// <summary>Keys still waiting for their frames.</summary>
    public int Count => _parts.Count;

    /// <summary>The key's pending part, created on its first reference.</summary>
    public StackPart PartFor(ulong key)
    {
        if (_recent.TryGet(key, out StackPart known)) return known;
        ref StackPart part = ref CollectionsMarshal.GetValueRefOrAddDefault(_parts, key, out bool existed);
        if (!existed) part = stacks.NewPendingPart();
        _recent.Set(key, part);
        return part;
    }

    /// <summary>The key is defined: hands back its pending part (false when nothing referenced it); a later
    /// reference to the same key starts a new part.</summary>
    public bool Remove(ulong key, out StackPart pending)
    {
        _recent.Forget(key);
        return _parts.Remove(key, out pending);
    }
}
