using HandleEtw.Core.Tracking;

namespace HandleEtw.Parquet;

/// <summary>
/// The handle tracker's open-handle table as `live_handles` rows: every handle open now in a running process (the
/// table `handleetw leaks` ranks). An optional process predicate keeps the rows of the processes a recording is
/// filtered to. The tracker must run before the writer so both have seen the same events. Process keys are left 0
/// here; the writer fills them from the process events it has seen. GDI and USER objects come with them, told apart
/// by their kind.
/// </summary>
public sealed class TrackerLiveHandles(HandleTracker tracker, Func<int, bool>? keepProcess = null) : ILiveHandleSource
{
    public HandleTracker Tracker { get; } = tracker;

    public IEnumerable<LiveHandleRow> LiveHandles()
    {
        foreach (LiveHandle h in Tracker.EnumerateLive(kind: null))
        {
            if (keepProcess is not null && !keepProcess(h.Pid)) continue;
            yield return new LiveHandleRow
            {
                ProcessId = h.Pid,
                Handle = h.Handle,
                Object = h.Object,
                ObjectType = h.Type,
                Name = h.Name,
                CreateTimestamp = h.Origin == HandleOrigin.Rundown ? null : h.CreateTime,
                ThreadId = h.Thread,
                StackId = h.StackId,
                Origin = OriginOf(h.Origin),
                Kind = h.Kind,
            };
        }
    }

    private static LiveHandleOrigin OriginOf(HandleOrigin origin) => origin switch
    {
        HandleOrigin.Created => LiveHandleOrigin.Created,
        HandleOrigin.Duplicated => LiveHandleOrigin.Duplicated,
        HandleOrigin.Inherited => LiveHandleOrigin.Inherited,
        _ => LiveHandleOrigin.Rundown,
    };
}
