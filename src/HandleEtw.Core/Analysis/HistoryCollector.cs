using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

/// <summary>One event of a handle value. Role (null for plain opens and closes) says how a DUPLICATE or CLOSE involves
/// the value: `source`, `target`, `inherit` (the parent's inheritance duplicate), `close_source` (closed by a
/// DuplicateHandle with DUPLICATE_CLOSE_SOURCE). ActorPid is the process that logged it.</summary>
public sealed record HistoryEntry(string Kind, double Time, int Tid, int ActorPid, ulong Object, string Type,
                                  string? Detail, IReadOnlyList<string> Stack, string? Role = null, string HandleKind = "kernel");

public sealed record HistoryReport(int Pid, uint Handle, bool Lossy, IReadOnlyList<HistoryEntry> Entries);

/// <summary>
/// Every event of one handle value in one process (all incarnations of the pid), kept in full: a dedicated pass,
/// so nothing else is collected and nothing is capped. Kernel handle values belong to pid 4's table. A value the
/// process inherited starts with the parent's inheritance duplicate, given to the parent's next child as the
/// tracker gives it.
/// </summary>
/// <para>GDI and USER values (<paramref name="kind"/> gdi, user or null for all) are followed from the create the
/// process owned, through owner changes (OWNER) and renames (TRANSFORM), to their destroy, whoever logs them.</para>
public sealed partial class HistoryCollector(Records.TraceInfo info, int pid, uint handle, HandleKind? kind = HandleKind.Kernel)
    : TraceConsumer
{
    private const int MaxPendingPerParent = 1024;

    private readonly record struct Raw(string Kind, long Time, int Tid, int ActorPid, ulong Object, ushort Type,
                                       string? Detail, int StackId, string? Role, HandleKind HandleKind = HandleKind.Kernel);

    private readonly List<Raw> _events = new();
    private readonly TypeNames _types = new();
    private readonly Dictionary<int, List<Raw>> _pendingInheritance = new();
    private (int Thread, long Time, int SourcePid, uint SourceHandle, int TargetPid, uint TargetHandle) _lastDuplicate = (-1, 0, 0, 0, 0, 0);
    private bool _lossInStream;

    private bool Owns(int actorPid, uint value)
    {
        if (value != handle) return false;
        bool kernel = (value & HandleEvent.KernelHandleBit) != 0;
        return (kernel ? HandleTracker.KernelPid : actorPid) == pid || (kernel && actorPid == pid);
    }

    public override void OnHandle(in HandleEvent e)
    {
        if (kind is not (null or HandleKind.Kernel)) return;
        switch (e.Op)
        {
            case HandleOp.Create when Owns(e.ProcessId, e.Handle): Add("OPEN", e, null); break;
            case HandleOp.Close: Close(e); break;
            case HandleOp.RundownStart when Owns(e.ProcessId, e.Handle): Add("RUNDOWN_START", e, null); break;
            case HandleOp.RundownEnd when Owns(e.ProcessId, e.Handle): Add("RUNDOWN_END", e, null); break;
            case HandleOp.Duplicate: Duplicate(e); break;
        }
    }

    private void Duplicate(in HandleEvent e)
    {
        int source = e.SourceProcessId != 0 ? e.SourceProcessId : e.ProcessId;
        if (source == e.TargetProcessId && e.Handle == e.TargetHandle && (e.Handle & HandleEvent.KernelHandleBit) == 0)
        {
            if (Owns(source, e.Handle)) Add("DUPLICATE", e, "inherited by the next child", "inherit");
            if (e.Handle == handle) Pending(source).Add(ToRaw("DUPLICATE", e, $"inherited from parent pid {source} handle 0x{e.Handle:x}", "inherit"));
            return;
        }
        _lastDuplicate = (e.ThreadId, e.Timestamp, source, e.Handle, e.TargetProcessId, e.TargetHandle);
        if (Owns(e.TargetProcessId, e.TargetHandle))
            Add("DUPLICATE", e, $"from pid {source} handle 0x{e.Handle:x}", "target");
        else if (Owns(source, e.Handle))
            Add("DUPLICATE", e, $"to pid {e.TargetProcessId} handle 0x{e.TargetHandle:x}", "source");
    }

    private List<Raw> Pending(int parent)
    {
        if (!_pendingInheritance.TryGetValue(parent, out var list)) _pendingInheritance[parent] = list = new List<Raw>();
        if (list.Count >= MaxPendingPerParent) list.RemoveAt(0);
        return list;
    }

    /// <summary>A Close right after a Duplicate of the same value on the same thread and timestamp is the
    /// DUPLICATE_CLOSE_SOURCE half: it closes the source process's handle, whichever process logged it.</summary>
    private void Close(in HandleEvent e)
    {
        var dup = _lastDuplicate;
        if (dup.Thread == e.ThreadId && dup.Time == e.Timestamp && dup.SourceHandle == e.Handle)
        {
            if (Owns(dup.SourcePid, e.Handle))
                Add("CLOSE", e, $"DUPLICATE_CLOSE_SOURCE: handed to pid {dup.TargetPid} handle 0x{dup.TargetHandle:x}", "close_source");
            return;
        }
        if (Owns(e.ProcessId, e.Handle)) Add("CLOSE", e, null);
    }

    public override void OnProcess(in ProcessEvent e)
    {
        if (e.Op != ProcessOp.Start || !_pendingInheritance.Remove(e.ParentId, out var inherited)) return;
        if (e.ProcessId == pid && e.ParentId != pid) _events.AddRange(inherited);
    }

    private Raw ToRaw(string kind, in HandleEvent e, string? detail, string? role) =>
        new(kind, e.Timestamp, e.ThreadId, e.ProcessId, e.Object, e.ObjectType, detail, e.StackId, role);

    private void Add(string kind, in HandleEvent e, string? detail, string? role = null) => _events.Add(ToRaw(kind, e, detail, role));

    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => _types.Set(typeIndex, name);
    public override void OnLoss(in LossEvent e) => _lossInStream = true;

    /// <summary>Newest first.</summary>
    public HistoryReport Report(StackContext context)
    {
        var entries = _events
            .Select((r, i) => (r, i))
            .OrderByDescending(x => x.r.Time).ThenByDescending(x => x.i)
            .Select(x => new HistoryEntry(x.r.Kind, info.ToRelativeTicks(x.r.Time) / 1e7, x.r.Tid, x.r.ActorPid,
                x.r.Object, TypeName(x.r), x.r.Detail, context.Frames(x.r.StackId, x.r.ActorPid, x.r.Time), x.r.Role,
                HandleKinds.Name(x.r.HandleKind)))
            .ToList();
        return new HistoryReport(pid, handle, info.Lossy || _lossInStream, entries);
    }
}
