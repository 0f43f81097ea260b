using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Core.Tracking;

/// <summary>
/// Live handle tables of every process, rebuilt from the event stream with WinDbg `!htrace` semantics: who opened each
/// handle, when and with which stack; what was inherited, duplicated, lost, swept at exit or closed twice.
/// </summary>
public sealed partial class HandleTracker : TraceConsumer
{
    public const int KernelPid = 4;
    private readonly TraceInfo _info;
    private readonly EntryPool _pool = new();
    private readonly LeakGroups _groups = new();
    private readonly MisuseDetector _misuse = new();
    private readonly ProcessIndex _processes = new();
    private readonly Dictionary<int, int> _generations = new();
    private readonly Queue<ProcessState> _grace = new();
    private readonly long _graceTicks;
    private int _nextProcessId;

    /// <summary>Lossy as the trace header said when tracking began. Mid-stream decisions use this plus the loss
    /// events in the stream, never the shared <see cref="TraceInfo"/> a reader may be updating ahead of us.</summary>
    private readonly bool _lossyAtStart;

    /// <param name="graceSeconds">How long an exited process's table is kept for late exit-sweep closes.</param>
    public HandleTracker(TraceInfo info, double graceSeconds = 10)
    {
        _info = info;
        _lossyAtStart = info.Lossy;
        _graceTicks = (long)(graceSeconds * info.ClockFrequency);
    }

    public TraceInfo Info => _info;
    public TypeNames Types { get; } = new();
    public TrackerCounters Counters { get; } = new();

    /// <summary>True when the trace or the stream reported lost events or damaged buffers, a gap between files, or a
    /// later file's rundown that disagreed with the carried tables.</summary>
    public bool Lossy => _info.Lossy || Counters.LossEvents > 0 || Counters.RundownMismatches > 0;

    public long LastTimestamp { get; private set; }

    /// <summary>Time of the last handle rundown record at the start, or null when the trace has no handle rundown.</summary>
    public long? RundownTimestamp { get; private set; }

    public bool Ended { get; private set; }

    /// <summary>Live handle entries in all processes (memory follows this, not the event count).</summary>
    public int LiveHandleCount => _pool.Live;

    public IReadOnlyList<SuspectGroup> Suspects => _misuse.Suspects;

    public double Seconds(long timestamp) => _info.ToRelativeTicks(timestamp) / 1e7;

    public override void OnProcess(in ProcessEvent e)
    {
        LastTimestamp = e.Timestamp;
        ExpireGrace(e.Timestamp);
        switch (e.Op)
        {
            case ProcessOp.Start: Started(e); break;
            case ProcessOp.DCStart: Describe(GetProcess(e.ProcessId), e); break;
            case ProcessOp.DCEnd:
            case ProcessOp.Defunct:
                if (_processes.TryGetValue(e.ProcessId, out var known) && known.Name.Length == 0) Describe(known, e);
                break;
            case ProcessOp.Terminate:
                if (_processes.TryGetValue(e.ProcessId, out var ending)) ending.Exiting = true;
                break;
            case ProcessOp.Stop:
                if (_processes.TryGetValue(e.ProcessId, out var stopped) && !stopped.Exited) Exit(stopped, e.Timestamp);
                break;
        }
    }

    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => Types.Set(typeIndex, name);

    public override void OnLoss(in LossEvent e)
    {
        Counters.LossEvents++;
        Counters.EventsLostInStream += e.Events;
        Counters.BuffersLostInStream += e.Buffers;
    }

    public override void OnEnd(long endTimestamp)
    {
        FinishReconciliation();
        if (endTimestamp > LastTimestamp) LastTimestamp = endTimestamp;
        Ended = true;
    }

    private static void Describe(ProcessState state, in ProcessEvent e)
    {
        if (!string.IsNullOrEmpty(e.ImageFileName)) state.Name = e.ImageFileName;
        if (e.UniqueProcessKey != 0) state.UniqueProcessKey = e.UniqueProcessKey;
    }

    private void Started(in ProcessEvent e)
    {
        ProcessState? previous = null;
        if (_processes.TryGetValue(e.ProcessId, out var old))
        {
            // The pid is reused: the old incarnation is gone even if its Stop was lost.
            if (!old.Exited) Exit(old, e.Timestamp);
            previous = old;
        }
        ProcessState child = NewProcess(e.ProcessId);
        child.Previous = previous;
        child.StartedInTrace = true;
        child.StartTime = e.Timestamp;
        Describe(child, e);
        if (_processes.TryGetValue(e.ParentId, out var parent) && parent != child)
        {
            child.Parent = parent;
            Inherit(parent, child);
        }
    }

    private ProcessState NewProcess(int pid)
    {
        int generation = _generations.TryGetValue(pid, out int g) ? g + 1 : 0;
        _generations[pid] = generation;
        var state = new ProcessState(_nextProcessId++, pid, generation, _pool);
        _processes.Set(pid, state);
        return state;
    }

    /// <summary>The current incarnation of a pid, created on first sight (it predates the trace).</summary>
    private ProcessState GetProcess(int pid)
    {
        if (!_processes.TryGetValue(pid, out var state)) state = NewProcess(pid);
        return state;
    }

    private void Exit(ProcessState state, long time)
    {
        state.Exiting = true;
        state.Exited = true;
        state.StopTime = time;
        Counters.ReleasedAtExit += state.Table.Count;
        Counters.GuiReleasedAtExit += state.GdiTable.Count + state.UserTable.Count;
        _grace.Enqueue(state);
    }

    private void ExpireGrace(long now)
    {
        while (_grace.Count > 0 && now - _grace.Peek().StopTime > _graceTicks)
        {
            ProcessState gone = _grace.Dequeue();
            Release(gone);
            if (_processes.TryGetValue(gone.Pid, out var current))
            {
                if (current == gone) _processes.Remove(gone.Pid);
                else if (current.Previous == gone) current.Previous = null;
            }
        }
    }

    private void Release(ProcessState state)
    {
        foreach (int entry in state.Table.Entries()) _pool.Free(entry);
        state.Table.Clear();
        ReleaseGui(state);
        _groups.FreeAll(state);
        state.RecentCloses = null;
        state.PendingInheritance = null;
        state.Previous = null;
        state.Parent = null;
    }
}
