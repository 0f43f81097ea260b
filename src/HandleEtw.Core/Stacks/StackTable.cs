using System.Runtime.InteropServices;

namespace HandleEtw.Core.Stacks;

/// <summary>
/// Interns stacks: each distinct frame sequence is stored once and named by a small int. Frame 0 is the innermost
/// address. Memory grows with distinct stacks (and stacks still waiting for a part), never with events.
/// <para>
/// An id can also name a composite stack, kernel part + user part, where a part may still be pending (a cached stack
/// key not yet defined, a user fragment not yet logged). Such an id can be handed out at once; <see cref="GetFrames"/>
/// returns the full frames once every part is bound, and the known frames until then.
/// </para>
/// </summary>
public sealed class StackTable
{
    private const int CompositeMarker = -1;
    private const int MaxPendingChain = 32;

    private readonly List<ulong> _frames = new();
    private readonly List<(int Start, int Length)> _stacks = new();
    private readonly Dictionary<ulong, List<int>> _byHash = new();

    private readonly List<Composite> _composites = new();
    private readonly Dictionary<(StackPart Kernel, StackPart User), int> _compositeIds = new();
    private readonly Dictionary<(int Kernel, int User), int> _joined = new();
    private readonly List<StackPart> _pending = new();
    private ulong[] _scratch = new ulong[256];
    private readonly RecentCache<int> _recentComposed = new(bits: 13);

    public int Count => _stacks.Count;

    /// <summary>Pending parts created and not yet bound to frames.</summary>
    public int UnboundParts { get; private set; }

    /// <summary>Returns the id of this frame sequence, adding it if new.</summary>
    public int Intern(ReadOnlySpan<ulong> frames)
    {
        ulong hash = Hash(frames);
        if (_byHash.TryGetValue(hash, out var ids))
        {
            foreach (int id in ids)
                if (GetStoredFrames(id).SequenceEqual(frames)) return id;
        }
        else
        {
            ids = new List<int>(1);
            _byHash.Add(hash, ids);
        }
        int newId = _stacks.Count;
        _stacks.Add((_frames.Count, frames.Length));
        foreach (ulong f in frames) _frames.Add(f);
        ids.Add(newId);
        return newId;
    }

    /// <summary>
    /// Frames of a stack, innermost first. For a composite whose parts are not all bound yet: the frames known so far.
    /// The span is valid until the next call that adds to the table.
    /// </summary>
    public ReadOnlySpan<ulong> GetFrames(int id)
    {
        if ((uint)id >= (uint)_stacks.Count) return default;
        var (start, length) = _stacks[id];
        if (length != CompositeMarker) return CollectionsMarshal.AsSpan(_frames).Slice(start, length);

        Composite c = _composites[start];
        if (c.Resolved >= 0) return GetFrames(c.Resolved);
        StackPart kernel = Resolve(c.Kernel), user = Resolve(c.User);
        if (kernel.IsPending || user.IsPending) return KnownFrames(kernel, user);
        int resolved = JoinFrames(kernel, user);
        _composites[start] = c with { Resolved = resolved };
        return resolved < 0 ? default : GetFrames(resolved);
    }

    /// <summary>True when every part of the stack is known (always true for plain interned stacks).</summary>
    public bool IsResolved(int id)
    {
        if ((uint)id >= (uint)_stacks.Count) return false;
        var (start, length) = _stacks[id];
        if (length != CompositeMarker) return true;
        Composite c = _composites[start];
        return c.Resolved >= 0 || (!Resolve(c.Kernel).IsPending && !Resolve(c.User).IsPending);
    }

    /// <summary>A new part whose frames will be supplied later by <see cref="Bind"/>.</summary>
    public StackPart NewPendingPart()
    {
        _pending.Add(StackPart.None);
        UnboundParts++;
        return StackPart.Pending(_pending.Count - 1);
    }

    /// <summary>Supplies a pending part: with frames, or with another (pending) part it stands for.</summary>
    public void Bind(StackPart pending, StackPart target)
    {
        int index = pending.PendingIndex;
        if (index < 0 || index >= _pending.Count) throw new ArgumentException("not a pending part", nameof(pending));
        if (!_pending[index].IsNone || target.IsNone || target == pending) return;
        _pending[index] = target;
        UnboundParts--;
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

    /// <summary>
    /// The id of kernel part (innermost frames) + user part. Known parts are joined into one interned stack; otherwise
    /// a composite id is returned whose frames fill in when its pending parts are bound. -1 when both parts are none.
    /// </summary>
    public int Compose(StackPart kernel, StackPart user)
    {
        kernel = Resolve(kernel);
        user = Resolve(user);
        // The id for a (resolved) pair never changes, so a recent answer can be reused as is.
        ulong pair = ((ulong)kernel.Raw << 32) | user.Raw;
        if (_recentComposed.TryGet(pair, out int recent)) return recent;
        int composed = ComposeResolved(kernel, user);
        _recentComposed.Set(pair, composed);
        return composed;
    }

    private int ComposeResolved(StackPart kernel, StackPart user)
    {
        if (!kernel.IsPending && !user.IsPending) return JoinFrames(kernel, user);
        if (_compositeIds.TryGetValue((kernel, user), out int existing)) return existing;
        int id = _stacks.Count;
        _stacks.Add((_composites.Count, CompositeMarker));
        _composites.Add(new Composite(kernel, user, -1));
        _compositeIds.Add((kernel, user), id);
        return id;
    }

    private int JoinFrames(StackPart kernel, StackPart user)
    {
        if (kernel.IsNone) return user.StackId;
        if (user.IsNone) return kernel.StackId;
        if (_joined.TryGetValue((kernel.StackId, user.StackId), out int id)) return id;
        ReadOnlySpan<ulong> k = GetStoredFrames(kernel.StackId), u = GetStoredFrames(user.StackId);
        int total = k.Length + u.Length;
        if (_scratch.Length < total) _scratch = new ulong[total];
        k.CopyTo(_scratch);
        u.CopyTo(_scratch.AsSpan(k.Length));
        id = Intern(_scratch.AsSpan(0, total));
        _joined.Add((kernel.StackId, user.StackId), id);
        return id;
    }

    private ReadOnlySpan<ulong> KnownFrames(StackPart kernel, StackPart user)
    {
        ReadOnlySpan<ulong> k = kernel.IsFrames ? GetStoredFrames(kernel.StackId) : default;
        ReadOnlySpan<ulong> u = user.IsFrames ? GetStoredFrames(user.StackId) : default;
        var result = new ulong[k.Length + u.Length];
        k.CopyTo(result);
        u.CopyTo(result.AsSpan(k.Length));
        return result;
    }

    private ReadOnlySpan<ulong> GetStoredFrames(int id)
    {
        var (start, length) = _stacks[id];
        return length == CompositeMarker ? GetFrames(id) : CollectionsMarshal.AsSpan(_frames).Slice(start, length);
    }

    private static ulong Hash(ReadOnlySpan<ulong> frames)
    {
        ulong h = 14695981039346656037UL;
        foreach (ulong f in frames) h = (h ^ f) * 1099511628211UL;
        return h ^ (ulong)frames.Length;
    }

    private readonly record struct Composite(StackPart Kernel, StackPart User, int Resolved);
}
