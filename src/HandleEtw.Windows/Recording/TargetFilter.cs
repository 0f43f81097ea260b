using HandleEtw.Core.Events;

namespace HandleEtw.Windows.Recording;

/// <summary>
/// The --process/--pid filter. The session is system-wide; this decides what is kept and shown, follows new
/// processes of the same image name, and says when the last target exited. Consumer thread only.
/// </summary>
public sealed class TargetFilter : TraceConsumer
{
    private readonly HashSet<int> _alive;
    private readonly string? _imageName;

    public TargetFilter(string? imageName, IEnumerable<int> pids)
    {
        _imageName = imageName is null ? null : StripExe(imageName);
        _alive = pids.ToHashSet();
        IsActive = imageName is not null || _alive.Count > 0;
    }

    /// <summary>False: no filter, everything is a target.</summary>
    public bool IsActive { get; }

    /// <summary>Every process that was ever a target (their events stay kept after exit).</summary>
    public HashSet<int> Seen { get; } = new();

    /// <summary>Raised once, on the consumer thread, when the last target process stopped.</summary>
    public event Action<string>? AllTargetsExited;

    public bool IsTarget(int processId) => !IsActive || _alive.Contains(processId) || Seen.Contains(processId);

    public string Describe() => _imageName is not null ? $"{_imageName} ({string.Join(", ", _alive)})" : string.Join(", ", _alive);

    public override void OnProcess(in ProcessEvent e)
    {
        if (!IsActive) return;
        if (e.Op is ProcessOp.Start or ProcessOp.DCStart && _imageName is not null && Matches(e.ImageFileName))
            _alive.Add(e.ProcessId);
        if (e.Op is ProcessOp.Stop or ProcessOp.Terminate && _alive.Remove(e.ProcessId))
        {
            Seen.Add(e.ProcessId);
            if (_alive.Count == 0)
                AllTargetsExited?.Invoke($"target process {(_imageName ?? "pid")} {e.ProcessId} exited");
        }
    }

    public void MarkInitial()
    {
        foreach (int pid in _alive) Seen.Add(pid);
    }

    private bool Matches(string? imageFileName)
    {
        if (string.IsNullOrEmpty(imageFileName)) return false;
        string file = StripExe(Path.GetFileName(imageFileName.Replace('\\', '/')));
        return string.Equals(file, _imageName, StringComparison.OrdinalIgnoreCase);
    }

    private static string StripExe(string name) =>
        name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
}

/// <summary>Passes on only events that involve a target process (handles: owner, source or target of a duplicate).</summary>
public sealed class FilteringConsumer(TargetFilter filter, TraceConsumer inner) : TraceConsumer
{
    public override void OnHandle(in HandleEvent e)
    {
        if (filter.IsTarget(e.ProcessId) || (e.Op == HandleOp.Duplicate && (filter.IsTarget(e.TargetProcessId) || filter.IsTarget(e.SourceProcessId))))
            inner.OnHandle(e);
    }

    public override void OnGuiHandle(in GuiHandleEvent e)
    {
        if (filter.IsTarget(e.OwnerProcessId) || filter.IsTarget(e.ProcessId)) inner.OnGuiHandle(e);
    }

    public override void OnProcess(in ProcessEvent e) { if (filter.IsTarget(e.ProcessId)) inner.OnProcess(e); }
    public override void OnThread(in ThreadEvent e) { if (filter.IsTarget(e.ProcessId)) inner.OnThread(e); }
    public override void OnImage(in ImageEvent e) { if (filter.IsTarget(e.ProcessId)) inner.OnImage(e); }
    public override void OnImageIdentity(in ImageIdentity e) { if (filter.IsTarget(e.ProcessId)) inner.OnImageIdentity(e); }
    public override void OnMethod(in MethodEvent e) { if (filter.IsTarget(e.ProcessId)) inner.OnMethod(e); }
    public override void OnClrModule(in ClrModuleEvent e) { if (filter.IsTarget(e.ProcessId)) inner.OnClrModule(e); }
    public override void OnClrNote(in ClrNoteEvent e) { if (filter.IsTarget(e.ProcessId)) inner.OnClrNote(e); }
    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => inner.OnObjectType(timestamp, typeIndex, name);
    public override void OnLoss(in LossEvent e) => inner.OnLoss(e);
    public override void OnSnapshot(long timestamp, string label) => inner.OnSnapshot(timestamp, label);
    public override void OnSegment(in TraceSegment segment) => inner.OnSegment(segment);
    public override void OnEnd(long endTimestamp) => inner.OnEnd(endTimestamp);
}
