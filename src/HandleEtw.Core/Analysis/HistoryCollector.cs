using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

public sealed record HistoryEntry(string Kind, double Time, int Tid, int ActorPid, ulong Object, string Type,
                                  string? Detail, IReadOnlyList<string> Stack);

public sealed record HistoryReport(int Pid, uint Handle, bool Lossy, IReadOnlyList<HistoryEntry> Entries);

/// <summary>
/// Every event of one handle value in one process (all incarnations of the pid), kept in full: a dedicated pass,
/// so nothing else is collected and nothing is capped. Kernel handle values belong to pid 4's table.
/// </summary>
public sealed class HistoryCollector(Records.TraceInfo info, int pid, uint handle) : TraceConsumer
{
    private readonly record struct Raw(string Kind, long Time, int Tid, int ActorPid, ulong Object, ushort Type, string? Detail, int StackId);

    private readonly List<Raw> _events = new();
    private readonly TypeNames _types = new();
    private bool _lossInStream;

    private bool Owns(int actorPid, uint value)
    {
        if (value != handle) return false;
        bool kernel = (value & HandleEvent.KernelHandleBit) != 0;
        return (kernel ? HandleTracker.KernelPid : actorPid) == pid || (kernel && actorPid == pid);
    }

    public override void OnHandle(in HandleEvent e)
    {
        switch (e.Op)
        {
            case HandleOp.Create when Owns(e.ProcessId, e.Handle): Add("OPEN", e, null); break;
            case HandleOp.Close when Owns(e.ProcessId, e.Handle): Add("CLOSE", e, null); break;
            case HandleOp.RundownStart when Owns(e.ProcessId, e.Handle): Add("RUNDOWN_START", e, null); break;
            case HandleOp.RundownEnd when Owns(e.ProcessId, e.Handle): Add("RUNDOWN_END", e, null); break;
            case HandleOp.Duplicate:
                int source = e.SourceProcessId != 0 ? e.SourceProcessId : e.ProcessId;
                if (Owns(e.TargetProcessId, e.TargetHandle))
                    Add("DUPLICATE", e, source == e.TargetProcessId && e.Handle == e.TargetHandle
                        ? "inherited by the next child" : $"from pid {source} handle 0x{e.Handle:x}");
                else if (Owns(source, e.Handle))
                    Add("DUPLICATE", e, $"to pid {e.TargetProcessId} handle 0x{e.TargetHandle:x}");
                break;
        }
    }

    private void Add(string kind, in HandleEvent e, string? detail) =>
        _events.Add(new Raw(kind, e.Timestamp, e.ThreadId, e.ProcessId, e.Object, e.ObjectType, detail, e.StackId));

    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => _types.Set(typeIndex, name);
    public override void OnLoss(in LossEvent e) => _lossInStream = true;

    /// <summary>Newest first.</summary>
    public HistoryReport Report(StackContext context)
    {
        var entries = _events
            .Select((r, i) => (r, i))
            .OrderByDescending(x => x.r.Time).ThenByDescending(x => x.i)
            .Select(x => new HistoryEntry(x.r.Kind, info.ToRelativeTicks(x.r.Time) / 1e7, x.r.Tid, x.r.ActorPid,
                x.r.Object, _types[x.r.Type], x.r.Detail, context.Frames(x.r.StackId, x.r.ActorPid, x.r.Time)))
            .ToList();
        return new HistoryReport(pid, handle, info.Lossy || _lossInStream, entries);
    }
}
