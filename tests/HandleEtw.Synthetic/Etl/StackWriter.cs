namespace HandleEtw.Synthetic.Etl;

/// <summary>How stacks are written.</summary>
public enum StackMode : byte
{
    None,
    /// <summary>StackWalk Stack records: a kernel fragment right after the event, the user fragment a few records later.</summary>
    Fragments,
    /// <summary>StackKeyKernel/StackKeyUser references, defined by KeyDelete on eviction and KeyRundown at the end.</summary>
    Cached,
    /// <summary>One StackWalk Stack record per event with the whole stack (kernel and user frames), right after it.</summary>
    Whole,
}

/// <summary>Which cached stack a full cache evicts for a new one.</summary>
public enum StackCacheEviction : byte
{
    /// <summary>The least recently referenced, as the kernel's stack cache does: a stack in use keeps its key.</summary>
    Lru,
    /// <summary>The oldest inserted, however hot: a stack in steady use is evicted and re-keyed over and over.</summary>
    Fifo,
}

/// <summary>A call stack as two fragments, innermost frame first. Identity matters: the cache keys on the arrays.</summary>
public sealed class CallStack(ulong[] kernel, ulong[] user)
{
    public ulong[] Kernel { get; } = kernel;
    public ulong[] User { get; } = user;
}

/// <summary>
/// Writes the stack records of events the way the kernel does: the kernel part at once, the user part when the
/// thread returns to user mode (before its next event, or after a few records of others). With caching, a bounded
/// cache per mode assigns keys (LRU unless told otherwise); an evicted key is defined by KeyDelete and then reused.
/// </summary>
public sealed class StackWriter(KernelEventWriter events, StackMode mode, int cacheSize = 256, int userDelay = 3,
    StackCacheEviction eviction = StackCacheEviction.Lru)
{
    private readonly List<PendingUser> _pending = [];
    // Keys are kernel addresses of the cache's slots, pointer-sized like the trace.
    private readonly StackKeyCache _kernelCache = new(events.TracePointerSize == 8 ? 0xFFFF_E000_0000_0000 : 0x9000_0000, cacheSize, eviction);
    private readonly StackKeyCache _userCache = new(events.TracePointerSize == 8 ? 0xFFFF_E100_0000_0000 : 0x9100_0000, cacheSize, eviction);

    public StackMode Mode { get; } = mode;

    /// <summary>Call before any event of <paramref name="tid"/> is written: emits user parts that are due. With
    /// <paramref name="cpu"/>, the CPU of that event, they are logged there, so a thread's user part comes before its
    /// next event even at the same timestamp (the kernel logs it on the way back to user mode, before the next call);
    /// without it, on the CPU of the first part due.</summary>
    public void BeforeEvent(long ticks, int tid, int? cpu = null)
    {
        var due = new List<PendingUser>();
        for (int i = 0; i < _pending.Count; i++)
        {
            PendingUser p = _pending[i];
            if (p.Tid != tid && --p.Remaining > 0)
            {
                _pending[i] = p;
                continue;
            }
            due.Add(p);
            _pending.RemoveAt(i--);
        }
        EmitAll(due, ticks, cpu);
    }

    /// <summary>
    /// Parts due at one instant are logged on one CPU: a key evicted for one thread and reused by the next is then
    /// never logged at one timestamp on two CPUs, an order no reader could reconstruct (nor a kernel produce).
    /// </summary>
    private void EmitAll(List<PendingUser> due, long ticks, int? cpu = null)
    {
        foreach (PendingUser p in due) EmitUser(p with { Cpu = cpu ?? due[0].Cpu }, ticks);
    }

    /// <summary>Call right after the event the stack belongs to (same CPU, same time). <paramref name="pointerSize"/> 4
    /// in a 64-bit trace is a WOW64 process: its user fragment is logged alone, uncached.</summary>
    public void Attach(int cpu, long ticks, int pid, int tid, CallStack stack, int pointerSize = 8)
    {
        if (Mode == StackMode.None) return;
        bool wow = IsWow(pointerSize);
        if (Mode == StackMode.Whole)
        {
            ulong[] frames = wow ? stack.User : [.. stack.Kernel, .. stack.User];
            if (frames.Length > 0) events.Stack(cpu, ticks, ticks, pid, tid, frames, pointerSize);
            return;
        }
        if (wow || Mode == StackMode.Fragments)
        {
            if (!wow && stack.Kernel.Length > 0) events.Stack(cpu, ticks, ticks, pid, tid, stack.Kernel, pointerSize);
        }
        else if (stack.Kernel.Length > 0)
        {
            ulong key = _kernelCache.KeyFor(stack.Kernel, events, cpu, ticks);
            events.StackKey(kernel: true, cpu, ticks, ticks, pid, tid, key, events.TracePointerSize);
        }
        if (stack.User.Length > 0) _pending.Add(new PendingUser(cpu, ticks, pid, tid, stack.User, pointerSize, userDelay));
    }

    private bool IsWow(int pointerSize) => pointerSize == 4 && events.TracePointerSize == 8;

    /// <summary>Emits every pending user part, then KeyRundown for every cached key.</summary>
    public void Finish(long ticks)
    {
        EmitAll([.. _pending], ticks, cpu: 0); // on the CPU of the key rundown
        _pending.Clear();
        _kernelCache.Rundown(events, ticks);
        _userCache.Rundown(events, ticks);
    }

    private void EmitUser(PendingUser p, long ticks)
    {
        if (IsWow(p.PointerSize) || Mode == StackMode.Fragments)
        {
            events.Stack(p.Cpu, ticks, p.TargetTicks, p.Pid, p.Tid, p.Frames, p.PointerSize);
            return;
        }
        ulong key = _userCache.KeyFor(p.Frames, events, p.Cpu, ticks);
        events.StackKey(kernel: false, p.Cpu, ticks, p.TargetTicks, p.Pid, p.Tid, key, events.TracePointerSize);
    }

    private record struct PendingUser(int Cpu, long TargetTicks, int Pid, int Tid, ulong[] Frames, int PointerSize, int Remaining);

    /// <summary>Fixed slots; the key is the slot's address, so an evicted slot's key comes back for another stack.</summary>
    private sealed class StackKeyCache(ulong keyBase, int capacity, StackCacheEviction eviction)
    {
        private readonly Dictionary<ulong[], int> _slotOf = new(ReferenceEqualityComparer.Instance);
        private readonly ulong[]?[] _slots = new ulong[capacity][];
        private readonly long[] _lastUse = new long[capacity];
        private long _uses;
        private int _filled, _nextVictim;

        public ulong KeyFor(ulong[] frames, KernelEventWriter events, int cpu, long ticks)
        {
            if (_slotOf.TryGetValue(frames, out int slot))
            {
                _lastUse[slot] = ++_uses;
                return Key(slot);
            }
            slot = _filled < _slots.Length ? _filled++ : Victim();
            if (_slots[slot] is { } evicted)
            {
                events.StackKeyDefinition(rundown: false, cpu, ticks, Key(slot), evicted, events.TracePointerSize);
                _slotOf.Remove(evicted);
            }
            _slots[slot] = frames;
            _slotOf[frames] = slot;
            _lastUse[slot] = ++_uses;
            return Key(slot);
        }

        private int Victim()
        {
            if (eviction == StackCacheEviction.Fifo)
            {
                int next = _nextVictim;
                _nextVictim = (next + 1) % _slots.Length;
                return next;
            }
            int victim = 0;
            for (int i = 1; i < _slots.Length; i++)
                if (_lastUse[i] < _lastUse[victim]) victim = i;
            return victim;
        }

        public void Rundown(KernelEventWriter events, long ticks)
        {
            for (int slot = 0; slot < _slots.Length; slot++)
                if (_slots[slot] is { } frames) events.StackKeyDefinition(rundown: true, 0, ticks, Key(slot), frames, events.TracePointerSize);
            Array.Clear(_slots);
            _slotOf.Clear();
            _filled = _nextVictim = 0;
        }

        private ulong Key(int slot) => keyBase + (ulong)slot * 0x80;
    }
}
