using HandleEtw.Core.Stacks;

namespace HandleEtw.Etl.Stacks;

/// <summary>
/// Cached stack keys referenced and not yet defined (one table for kernel keys, one for user keys): each key's pending
/// part in the <see cref="StackTable"/>. Asked once per stack-key record, so it is a flat open-addressing map.
/// </summary>
internal sealed class PendingKeys(StackTable stacks)
{
    private readonly KeyMap<StackPart> _parts = new();

    /// <summary>Keys still waiting for their frames.</summary>
    public int Count => _parts.Count;

    /// <summary>The key's pending part, created on its first reference.</summary>
    public StackPart PartFor(ulong key)
    {
        ref StackPart part = ref _parts.GetOrAdd(key, out bool existed);
        if (!existed) part = stacks.NewPendingPart();
        return part;
    }

    /// <summary>The key is defined: hands back its pending part (false when nothing referenced it); a later
    /// reference to the same key starts a new part.</summary>
    public bool Remove(ulong key, out StackPart pending) => _parts.Remove(key, out pending);
}
