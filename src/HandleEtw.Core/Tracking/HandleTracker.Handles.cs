using HandleEtw.Core.Events;

namespace HandleEtw.Core.Tracking;

public sealed partial class HandleTracker
{
    private const int MaxPendingInheritance = 1 << 16;

    /// <summary>The last Duplicate, to recognise DUPLICATE_CLOSE_SOURCE (a Close of its source right after it).</summary>
    private (int Thread, long Time, int SourcePid, uint SourceHandle) _lastDuplicate = (-1, 0, 0, 0);

    private static int Owner(int pid, uint handle) => (handle & HandleEvent.KernelHandleBit) != 0 ? KernelPid : pid;

    /// <summary>As the default, with direct calls: this loop is the consumer thread's main work.</summary>
    public override void OnHandles(ReadOnlySpan<HandleEvent> events)
    {
        for (int i = 0; i < events.Length; i++)
        {
            if (i + PrefetchDistance < events.Length) Prefetch(events[i + PrefetchDistance]);
            OnHandle(events[i]);
        }
    }

    public override void OnHandle(in HandleEvent e)
    {
        LastTimestamp = e.Timestamp;
        Counters.HandleEvents++;
        if (_listedInRundown is not null && e.Op != HandleOp.RundownStart) FinishReconciliation();
        switch (e.Op)
        {
            case HandleOp.Create:
                Counters.Creates++;
                Open(GetProcess(Owner(e.ProcessId, e.Handle)), e.Handle, e, HandleOrigin.Created, e.ProcessId, 0);
                break;
            case HandleOp.Close: Close(e); break;
            case HandleOp.Duplicate: Duplicate(e); break;
            case HandleOp.RundownStart: Rundown(e); break;
        }
    }

    /// <summary>Events hinted but not yet reached, by hint count. Half-way there a close's table slot is in cache and
    /// the entry it finds starts loading, and a create's group index slot is in cache and the group it finds starts
    /// loading. (A third step, a close's group from its entry, showed no gain.)</summary>
    private readonly HintedEvent[] _hintedEvents = new HintedEvent[PrefetchDistance];
    private int _hints;

    private struct HintedEvent
    {
        public ProcessState? Closer;
        public ProcessState? Creator;
        public uint Handle;
        public int Stack;
        public int Naming;
        public ushort Type;
    }

    /// <summary>Starts loading what the event will read first: its table slot, for a close the misuse slot, for a
    /// create the group index slot; and the next loads of the events hinted before it.</summary>
    public override void Prefetch(in HandleEvent e)
    {
        int n = _hints++;
        HintFurther(ref _hintedEvents[(n - PrefetchDistance / 2) & (PrefetchDistance - 1)]);
        ref HintedEvent hinted = ref _hintedEvents[n & (PrefetchDistance - 1)];
        hinted = default;
        switch (e.Op)
        {
            case HandleOp.Create:
                if (_processes.TryGetValue(Owner(e.ProcessId, e.Handle), out ProcessState? owner))
                {
                    owner.Table.Prefetch(e.Handle);
                    int naming = e.StackId < 0 ? 0 : MethodUnloads(owner, e.ProcessId);
                    _groups.PrefetchIndex(owner, e.ObjectType, e.StackId, naming);
                    hinted = new HintedEvent { Creator = owner, Stack = e.StackId, Naming = naming, Type = e.ObjectType };
                }
                break;
            case HandleOp.Close:
                if (_processes.TryGetValue(Owner(e.ProcessId, e.Handle), out ProcessState? closer))
                {
                    closer.Table.Prefetch(e.Handle);
                    MisuseDetector.Prefetch(closer, e.Handle);
                    hinted = new HintedEvent { Closer = closer, Handle = e.Handle };
                }
                break;
            case HandleOp.Duplicate:
                if (_processes.TryGetValue(Owner(e.TargetProcessId, e.TargetHandle), out ProcessState? target)) target.Table.Prefetch(e.TargetHandle);
                break;
        }
    }

    /// <summary>Half-way: reads the slots hinted first and starts loading what they point to.</summary>
    private void HintFurther(ref HintedEvent hinted)
    {
        if (hinted.Closer is { } closer)
        {
            int entry = closer.Table.Find(hinted.Handle);
            if (entry >= 0) CacheHint.PrefetchWhole(ref _pool[entry]);
        }
        else if (hinted.Creator is { } creator) _groups.PrefetchGroup(creator, hinted.Type, hinted.Stack, hinted.Naming);
    }

    private void Open(ProcessState process, uint handle, in HandleEvent e, HandleOrigin origin, int originPid, uint originHandle)
    {
        int existing = process.Table.Find(handle);
        if (existing >= 0)
        {
            Counters.LostCloses++;
            Retire(process, existing);
        }
        int stack = origin == HandleOrigin.Rundown ? -1 : e.StackId;
        int index = _pool.Allocate();
        ref HandleEntry entry = ref _pool[index];
        entry.Handle = handle;
        entry.Object = e.Object;
        entry.CreateTime = e.Timestamp;
        entry.Name = e.Name;
        entry.Thread = origin == HandleOrigin.Rundown ? -1 : e.ThreadId;
        entry.Origin = origin;
        entry.OriginPid = originPid;
        entry.OriginHandle = originHandle;
        entry.Group = _groups.Get(process, e.ObjectType, stack, stack < 0 ? 0 : MethodUnloads(process, e.ProcessId), e.Timestamp);
        _groups.Opened(entry.Group);
        process.Table.Add(index);
    }

    private void Retire(ProcessState process, int index)
    {
        ref HandleEntry entry = ref _pool[index];
        _groups.Closed(entry.Group);
        process.Table.Remove(entry.Handle);
        _pool.Free(index);
    }

    private void RetireAt(ProcessState process, int slot, int index)
    {
        _groups.Closed(_pool[index].Group);
        process.Table.RemoveAt(slot);
        _pool.Free(index);
    }

    private void Close(in HandleEvent e)
    {
        Counters.Closes++;
        int pid = e.ProcessId;
        var dup = _lastDuplicate;
        if (dup.Thread == e.ThreadId && dup.Time == e.Timestamp && dup.SourceHandle == e.Handle)
        {
            pid = dup.SourcePid;
            Counters.DuplicateCloseSource++;
        }
        ProcessState process = GetProcess(Owner(pid, e.Handle));
        int slot = process.Table.FindSlot(e.Handle);
        if (slot < 0)
        {
            CloseUnknown(process, e);
            return;
        }
        int index = process.Table.EntryAt(slot);
        ref HandleEntry entry = ref _pool[index];
        if (process.Exiting) Counters.ExitSweepCloses++;
        else
        {
            if (entry.Origin == HandleOrigin.Inherited) Counters.InheritedCloses++;
            ref LeakGroups.Group group = ref _groups[entry.Group];
            int creator = entry.Origin is HandleOrigin.Created or HandleOrigin.Duplicated ? entry.Thread : -1;
            _misuse.OnClose(process, e.Handle, e.ThreadId, e.StackId, e.Timestamp, creator, entry.CreateTime,
                            group.StackId, group.Type);
        }
        RetireAt(process, slot, index);
    }

    private void CloseUnknown(ProcessState process, in HandleEvent e)
    {
        // A late exit-sweep close of the previous incarnation of this pid.
        ProcessState? previous = process.Previous;
        if (previous is not null)
        {
            int old = previous.Table.Find(e.Handle);
            if (old >= 0 && _pool[old].Object == e.Object)
            {
                Counters.ExitSweepCloses++;
                Retire(previous, old);
                return;
            }
        }
        if (InheritedFromParent(process, e))
        {
            Counters.InheritedCloses++;
            return;
        }
        if (process.StartedInTrace || process.HasRundown || _lossyAtStart || Counters.LossEvents > 0) Counters.UnknownClosesGap++;
        else Counters.UnknownClosesPredatingTrace++;
        if (!process.Exiting) _misuse.OnUnmatchedClose(process, e.Handle, e.ThreadId, e.StackId, e.Timestamp, e.ObjectType);
    }

    /// <summary>The value was live (same object) in the parent when this process started: inherited, not logged.</summary>
    private bool InheritedFromParent(ProcessState process, in HandleEvent e)
    {
        ProcessState? parent = process.Parent;
        if (parent is null || (e.Handle & HandleEvent.KernelHandleBit) != 0) return false;
        int index = parent.Table.Find(e.Handle);
        return index >= 0 && _pool[index].Object == e.Object && _pool[index].CreateTime <= process.StartTime;
    }

    private void Duplicate(in HandleEvent e)
    {
        Counters.Duplicates++;
        int sourcePid = e.SourceProcessId != 0 ? e.SourceProcessId : e.ProcessId;
        if (sourcePid == e.TargetProcessId && e.Handle == e.TargetHandle && (e.Handle & HandleEvent.KernelHandleBit) == 0)
        {
            // Parent→parent with the same value, before the child's Process/Start: handle inheritance.
            Counters.InheritanceDuplicates++;
            ProcessState parent = GetProcess(sourcePid);
            parent.PendingInheritance ??= new List<PendingInherit>();
            if (parent.PendingInheritance.Count < MaxPendingInheritance)
                parent.PendingInheritance.Add(new PendingInherit(e.Handle, e.Object, e.ObjectType, e.ThreadId, e.StackId, e.Timestamp));
            return;
        }
        _lastDuplicate = (e.ThreadId, e.Timestamp, sourcePid, e.Handle);
        ProcessState target = GetProcess(Owner(e.TargetProcessId, e.TargetHandle));
        Open(target, e.TargetHandle, e, HandleOrigin.Duplicated, sourcePid, e.Handle);
    }

    private void Rundown(in HandleEvent e)
    {
        Counters.RundownHandles++;
        if (Counters.Segments == 0) RundownTimestamp = e.Timestamp; // the first file's rundown starts the diff
        ProcessState process = GetProcess(Owner(e.ProcessId, e.Handle));
        process.HasRundown = true;
        if (ConfirmRundown(process, e)) return;
        Open(process, e.Handle, e, HandleOrigin.Rundown, e.ProcessId, 0);
    }

    /// <summary>Moves the parent's inheritance duplicates into the child's table.</summary>
    private void Inherit(ProcessState parent, ProcessState child)
    {
        List<PendingInherit>? pending = parent.PendingInheritance;
        if (pending is null || pending.Count == 0) return;
        foreach (PendingInherit p in pending)
        {
            // Opened when the parent logged the inheritance duplicate, with its thread and stack.
            var synthetic = new HandleEvent
            {
                Op = HandleOp.Duplicate, Timestamp = p.Time, ProcessId = parent.Pid, ThreadId = p.Thread,
                Object = p.Object, Handle = p.Handle, ObjectType = p.Type, StackId = p.StackId,
            };
            Open(child, p.Handle, synthetic, HandleOrigin.Inherited, parent.Pid, p.Handle);
        }
        pending.Clear();
    }
}
