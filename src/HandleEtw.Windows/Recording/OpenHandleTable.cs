using HandleEtw.Core.Events;

namespace HandleEtw.Windows.Recording;

public readonly record struct HandleKey(int ProcessId, uint Handle);

public readonly record struct OpenHandle(ulong Object, ushort ObjectType, int StackId, long Timestamp, bool FromInventory);

/// <summary>
/// Which handles are open now, per (process, handle value), from the inventory and the event stream; also keeps
/// the end-of-trace rundown rows for the cross-check. Kernel handles (bit 31) live in PID 4's table
/// (windows-live.md finding 12). Consumer thread only, except the counters the status line reads.
/// </summary>
public sealed class OpenHandleTable(Func<int, bool> isTarget) : TraceConsumer
{
    private const int SystemProcessId = 4;
    private readonly Dictionary<HandleKey, OpenHandle> _open = new();
    private readonly List<HandleEvent> _rundownEnd = new();
    private int _targetLive;

    public IReadOnlyDictionary<HandleKey, OpenHandle> Open => _open;
    public IReadOnlyList<HandleEvent> RundownEnd => _rundownEnd;

    /// <summary>Open handles of the target processes (all processes when there is no filter); any thread.</summary>
    public int TargetLive => Volatile.Read(ref _targetLive);

    /// <summary>Closes of a handle seen nowhere (opened before start and missed by the inventory, or lost).</summary>
    public long UnknownCloses { get; private set; }

    /// <summary>Creates over a value still open with another object: a close was missed.</summary>
    public long MissedCloses { get; private set; }

    public long LastTimestamp { get; private set; }

    public override void OnHandle(in HandleEvent e)
    {
        LastTimestamp = Math.Max(LastTimestamp, e.Timestamp);
        switch (e.Op)
        {
            case HandleOp.Create:
                Add(Route(e.ProcessId, e.Handle), new OpenHandle(e.Object, e.ObjectType, e.StackId, e.Timestamp, false));
                break;
            case HandleOp.RundownStart:
                Add(Route(e.ProcessId, e.Handle), new OpenHandle(e.Object, e.ObjectType, e.StackId, e.Timestamp, true));
                break;
            case HandleOp.Duplicate:
                Add(Route(e.TargetProcessId, e.TargetHandle), new OpenHandle(e.Object, e.ObjectType, e.StackId, e.Timestamp, false));
                break;
            case HandleOp.Close:
                if (!Remove(Route(e.ProcessId, e.Handle))) UnknownCloses++;
                break;
            case HandleOp.RundownEnd:
                _rundownEnd.Add(e);
                break;
        }
    }

    public override void OnProcess(in ProcessEvent e)
    {
        if (e.Op is not (ProcessOp.Stop or ProcessOp.Terminate)) return;
        // Exit-sweep closes normally precede Stop; what is left belonged to a dead table.
        int pid = e.ProcessId;
        foreach (HandleKey key in _open.Keys.Where(k => k.ProcessId == pid).ToList()) Remove(key);
    }

    private static HandleKey Route(int processId, uint handle) =>
        new((handle & HandleEvent.KernelHandleBit) != 0 ? SystemProcessId : processId, handle);

    private void Add(HandleKey key, OpenHandle handle)
    {
        if (_open.TryGetValue(key, out OpenHandle old))
        {
            if (old.Object != handle.Object && old.Object != 0 && handle.Object != 0) MissedCloses++;
            if (handle.FromInventory) return; // the event stream already saw it: keep its stack
            _open[key] = handle;
            return;
        }
        _open.Add(key, handle);
        if (isTarget(key.ProcessId)) Interlocked.Increment(ref _targetLive);
    }

    private bool Remove(HandleKey key)
    {
        if (!_open.Remove(key)) return false;
        if (isTarget(key.ProcessId)) Interlocked.Decrement(ref _targetLive);
        return true;
    }
}
