using System.Runtime.CompilerServices;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl.Stacks;

/// <summary>
/// Joins StackWalk records to the events they belong to, the way TraceEvent's TraceLog does: a stack names its
/// event by (timestamp, thread) among the last <see cref="EventHistory.Size"/> events; kernel-only fragments wait on
/// their thread for the user fragment logged when it leaves the kernel; cached-stack references wait on their key
/// until KeyDelete/KeyRundown defines it. Decoded events are held in a delay queue and emitted in arrival (time)
/// order once their stack parts are known, or once no stack record can reach them any more; a part still pending
/// then is emitted as a pending reference in the <see cref="StackTable"/>, bound when its frames arrive.
/// </summary>
internal sealed class StackJoin
{
    // Every held event is also in the history, so the events held at once are at most EventHistory.Size (plus file
    // marks): the queue grows past that only for marks, and emits its head early only past MaxQueue.
    private const int QueueCapacity = EventHistory.Size;
    private const int MaxQueue = 2 * EventHistory.Size;

    private readonly StackTable _stacks;
    private readonly DecoderCounters _counters;
    private readonly TraceDecoder _sink; // called directly: once per event
    private readonly EventHistory _history = new();
    private readonly DelayQueue _queue = new(QueueCapacity);
    private readonly PendingKeys _kernelKeys;
    private readonly PendingKeys _userKeys;
    private readonly KeyMap<ThreadParking> _parked = new(); // by thread id
    private readonly Queue<(StackPart Part, long BoundAt)> _bound = new(); // parts to release once emitted past
    private ulong[] _frames = new ulong[256];
    // The head found waiting for its stack, and _changes then: it stays waiting until it gets a stack part or a pending
    // part is bound (each counted in _changes), so it is not looked at again for every record meanwhile.
    private long _changes, _waitingHead = -1, _waitingSince;

    public StackJoin(StackTable stacks, DecoderCounters counters, TraceDecoder sink)
    {
        _stacks = stacks;
        _kernelKeys = new PendingKeys(stacks);
        _userKeys = new PendingKeys(stacks);
        _counters = counters;
        _sink = sink;
    }

    /// <summary>
    /// Every non-stack record, before it is decoded: remembered as a possible stack target, after the events it
    /// takes out of reach have been emitted. With <paramref name="hold"/> a slot is reserved for its decoded event
    /// (returned; -1 without): fill it through <see cref="Held"/>, then call <see cref="Decoded"/>.
    /// </summary>
    public long LogEvent(in EventRecord r, bool hold)
    {
        long heldSeq = hold ? _queue.TailSeq : -1;
        long serial = _history.Add(r.Timestamp, r.ThreadId, r.Cpu, heldSeq);
        Drain();
        if (hold)
        {
            Reserve();
            ref HeldEvent h = ref _queue[heldSeq];
            h.HistorySerial = serial;
            h.NextParked = -1;
        }
        if (!r.ExtendedData.IsEmpty) AttachExtendedStack(r, serial, heldSeq);
        return heldSeq;
    }

    public ref HeldEvent Held(long seq) => ref _queue[seq];

    /// <summary>The held event is filled in: it leaves at once if nothing waits before it and its stack is whole.</summary>
    public void Decoded(long seq)
    {
        if (_queue.HeadSeq == seq) Drain();
    }

    /// <summary>Reserves a slot for a mark that no stack can target (the start of the next file): it leaves right
    /// after every event held before it.</summary>
    public ref HeldEvent HoldMarker()
    {
        ref HeldEvent held = ref _queue[Reserve()];
        held.HistorySerial = -1;
        held.NextParked = -1;
        return ref held;
    }

    private long Reserve()
    {
        if (_queue.IsFull && !_queue.TryGrow(MaxQueue)) EmitHead();
        return _queue.Enqueue();
    }

    public void OnStackRecord(in EventRecord r)
    {
        switch (r.Opcode)
        {
            case StackWalkPayloads.Stack: OnStack(r); break;
            case StackWalkPayloads.StackKeyKernel: OnKeyReference(r, kernel: true); break;
            case StackWalkPayloads.StackKeyUser: OnKeyReference(r, kernel: false); break;
            case StackWalkPayloads.KeyDelete:
            case StackWalkPayloads.KeyRundown: OnKeyDefinition(r); break;
            default: return;
        }
        Drain();
    }

    /// <summary>A stack record coming soon: a reference's key entry is loaded meanwhile (the key maps are too large to
    /// stay in the processor's nearest caches, and every reference probes one); for a definition its frames, and the
    /// recent-sequence entry they name.</summary>
    public void Upcoming(byte opcode, ReadOnlySpan<byte> payload, byte pointerSize)
    {
        if (opcode is StackWalkPayloads.KeyDelete or StackWalkPayloads.KeyRundown)
        {
            CacheHint.Lines(payload); // a definition's frames, compared with the interned copy next
            // and the entry of the recent sequences its innermost frames name (the first read of the lookup)
            ReadOnlySpan<ulong> frames = StackWalkPayloads.PeekDefinitionFrames(payload, pointerSize);
            if (!frames.IsEmpty) _stacks.PrefetchPart(frames);
            return;
        }
        if (opcode is not (StackWalkPayloads.StackKeyKernel or StackWalkPayloads.StackKeyUser)) return;
        if (!StackWalkPayloads.TryPeekKey(payload, pointerSize, out ulong key)) return;
        (opcode == StackWalkPayloads.StackKeyKernel ? _kernelKeys : _userKeys).Prefetch(key);
    }

    /// <summary>End of input: emits everything held and counts what never resolved.</summary>
    public void Finish()
    {
        while (_queue.Count > 0) EmitHead();
        _counters.UnresolvedStackKeys = _kernelKeys.Count + _userKeys.Count;
        long missingUser = 0;
        foreach (ThreadParking p in _parked.Values)
            if (!p.Fallback.IsNone && _stacks.Resolve(p.Fallback).IsPending) missingUser++;
        _counters.MissingUserFragments = missingUser;
        _stacks.Finish();
        _counters.PartialStackEvents = _stacks.PartialStackEvents;
    }

    private void OnStack(in EventRecord r)
    {
        if (!StackWalkPayloads.TryReadTarget(r, out StackTarget target)) { _counters.MalformedPayloads++; return; }
        ReadOnlySpan<ulong> frames = StackWalkPayloads.ReadStackFrames(r, ref _frames);
        if (frames.IsEmpty) { _counters.MalformedPayloads++; return; }
        long seq = FindHeld(target, r.Cpu);
        var part = _stacks.InternPart(frames);
        if (StackWalkPayloads.IsKernelAddress(frames[^1], r.PointerSize))
        {
            if (seq >= 0) SetKernel(ref _queue[seq], seq, part, target);
            return;
        }
        bool completedTarget = false;
        if (!StackWalkPayloads.IsKernelAddress(frames[0], r.PointerSize))
            completedTarget = CompleteThread(target.ThreadId, part, seq);
        if (!completedTarget && seq >= 0) SetUser(ref _queue[seq], part);
    }

    private void OnKeyReference(in EventRecord r, bool kernel)
    {
        if (!StackWalkPayloads.TryReadKeyReference(r, out StackTarget target, out ulong key))
        {
            _counters.MalformedPayloads++;
            return;
        }
        long seq = FindHeld(target, r.Cpu);
        // Every referenced key gets its pending part, used or not, so keys never defined can be counted at the end.
        StackPart part = (kernel ? _kernelKeys : _userKeys).PartFor(key, r.Timestamp, r.Cpu);
        if (kernel)
        {
            if (seq >= 0) SetKernel(ref _queue[seq], seq, part, target);
            return;
        }
        if (!CompleteThread(target.ThreadId, part, seq) && seq >= 0) SetUser(ref _queue[seq], part);
    }

    private void OnKeyDefinition(in EventRecord r)
    {
        if (!StackWalkPayloads.TryReadKeyDefinition(r, out ulong key, ref _frames, out ReadOnlySpan<ulong> frames) || frames.IsEmpty)
        {
            _counters.MalformedPayloads++;
            return;
        }
        _counters.StackKeyDefinitions++;
        // A key lives in the kernel or the user table, told apart by where its outermost frame is.
        var table = StackWalkPayloads.IsKernelAddress(frames[^1], r.PointerSize) ? _kernelKeys : _userKeys;
        StackPart part = _stacks.InternPart(frames);
        if (table.Remove(key, part, r.Timestamp, r.Cpu, out StackPart pending)) BindPart(pending, part);
    }

    /// <summary>EVENT_HEADER stacks travel with their event: the whole stack, attached at once.</summary>
    private void AttachExtendedStack(in EventRecord r, long serial, long heldSeq)
    {
        if (!StackWalkPayloads.TryReadExtendedStack(r, ref _frames, out int count)) return;
        _history[serial].HasStack = true;
        _counters.EventsWithStacks++;
        if (heldSeq >= 0) SetUser(ref _queue[heldSeq], _stacks.InternPart(_frames.AsSpan(0, count)));
    }

    /// <summary>Finds the stack's target event; counts orphans and stacks with decoded events; returns the held
    /// sequence number or -1 when the target is not (or no longer) held.</summary>
    private long FindHeld(StackTarget target, ushort cpu)
    {
        long serial = _history.FindTarget(target.EventTimestamp, target.ThreadId, cpu);
        if (serial < 0)
        {
            _counters.OrphanStacks++;
            return -1;
        }
        ref EventHistory.Entry entry = ref _history[serial];
        if (!entry.HasStack)
        {
            entry.HasStack = true;
            _counters.EventsWithStacks++;
        }
        if (entry.HeldSeq < 0) return -1;
        if (_queue.Contains(entry.HeldSeq)) return entry.HeldSeq;
        _counters.LateStacks++;
        return -1;
    }

    private void SetKernel(ref HeldEvent h, long seq, StackPart part, StackTarget target)
    {
        if (!h.Kernel.IsNone) return; // a second kernel part for one event: keep the first
        if (Unsafe.AreSame(ref h, ref _queue.Head)) _changes++;
        h.Kernel = part;
        h.StackThread = target.ThreadId;
        // Processes 0 and 4 never return to user mode: their kernel part is the whole stack.
        if (target.ProcessId is 0 or 4 || !h.User.IsNone) return;
        h.AwaitingUser = true;
        ref ThreadParking parking = ref _parked.GetOrAdd((uint)target.ThreadId, out bool existed);
        if (!existed) parking = new ThreadParking(-1, StackPart.None);
        h.NextParked = parking.Newest;
        parking.Newest = seq;
    }

    private void SetUser(ref HeldEvent h, StackPart part)
    {
        if (Unsafe.AreSame(ref h, ref _queue.Head)) _changes++;
        h.User = part;
        h.AwaitingUser = false;
    }

    /// <summary>The thread left the kernel: <paramref name="user"/> completes every kernel part parked on it.
    /// True when <paramref name="targetSeq"/> was among them.</summary>
    private bool CompleteThread(int thread, StackPart user, long targetSeq)
    {
        // The thread's entry is emptied rather than removed: threads park again and again, and an empty entry is
        // what a missing one means everywhere (one lookup per stack instead of a remove and a re-add).
        ref ThreadParking entry = ref _parked.Find((uint)thread);
        if (Unsafe.IsNullRef(ref entry)) return false;
        ThreadParking parking = entry;
        entry = new ThreadParking(-1, StackPart.None);
        bool found = false;
        for (long s = parking.Newest; s >= 0 && _queue.Contains(s); s = _queue[s].NextParked)
        {
            ref HeldEvent h = ref _queue[s];
            if (h.AwaitingUser) SetUser(ref h, user);
            found |= s == targetSeq;
        }
        if (!parking.Fallback.IsNone) BindPart(parking.Fallback, user);
        return found;
    }

    /// <summary>Binds a pending part; its slot is released once every event held so far has been emitted.</summary>
    private void BindPart(StackPart pending, StackPart target)
    {
        _stacks.Bind(pending, target);
        _changes++;
        _bound.Enqueue((pending, _queue.TailSeq));
    }

    /// <summary>Emits held events in order: each waits until its stack is whole (every part known), or until no stack
    /// record can reach it any more. Waiting for the parts lets most events get their final stack id at once.</summary>
    private void Drain()
    {
        while (_queue.Count > 0)
        {
            ref HeldEvent head = ref _queue.Head;
            if (_history.Holds(head.HistorySerial))
            {
                if (_waitingHead == _queue.HeadSeq && _waitingSince == _changes) return;
                if (!IsReady(ref head))
                {
                    _waitingHead = _queue.HeadSeq;
                    _waitingSince = _changes;
                    return;
                }
            }
            EmitHead();
        }
    }

    private bool IsReady(ref HeldEvent head) => head.HasStack && !head.AwaitingUser && IsKnown(head.Kernel) && IsKnown(head.User);

    private bool IsKnown(StackPart part) => !part.IsPending || !_stacks.Resolve(part).IsPending;

    private void EmitHead()
    {
        ref HeldEvent head = ref _queue.Head;
        if (head.AwaitingUser) head.User = FallbackFor(head.StackThread);
        int stackId = head.HasStack ? _stacks.Compose(head.Kernel, head.User) : -1;
        _sink.Emit(ref head, stackId);
        _queue.Dequeue();
        // The next head leaves soon (events leave one by one as later ones push them out of reach): its stack's entry
        // is loaded meanwhile, as the maps are too large for the processor's nearest caches.
        if (_queue.Count > 0) _stacks.PrefetchCompose(_queue.Head.Kernel, _queue.Head.User);
        while (_bound.Count > 0 && _bound.Peek().BoundAt <= _queue.HeadSeq) _stacks.Release(_bound.Dequeue().Part);
    }

    /// <summary>A pending user part for a thread whose kernel parts must leave before its user fragment arrived.</summary>
    private StackPart FallbackFor(int thread)
    {
        ref ThreadParking parking = ref _parked.GetOrAdd((uint)thread, out bool existed);
        if (!existed) parking = new ThreadParking(-1, StackPart.None);
        if (parking.Fallback.IsNone) parking.Fallback = _stacks.NewPendingPart();
        return parking.Fallback;
    }

    private struct ThreadParking(long newest, StackPart fallback)
    {
        public long Newest = newest;
        public StackPart Fallback = fallback;
    }
}
