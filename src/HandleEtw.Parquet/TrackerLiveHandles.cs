using HandleEtw.Core.Tracking;

namespace HandleEtw.Parquet;

/// <summary>
/// The handle tracker's open handles as `live_handles` rows. An optional process predicate keeps the rows of the
/// processes a recording is filtered to. Put the tracker before the writer in a composite consumer.
/// </summary>
public sealed class TrackerLiveHandles(HandleTracker tracker, Func<int, bool>? keepProcess = null) : ILiveHandleSource
{
    public IEnumerable<LiveHandleRow> LiveHandles()
    {
        foreach (LiveHandle h in tracker.EnumerateLive())
        {
            if (keepProcess is not null && !keepProcess(h.Pid)) continue;
            bool rundown = h.Origin == HandleOrigin.Rundown;
            yield return new LiveHandleRow
            {
                ProcessId = h.Pid,
                Handle = h.Handle,
                Object = h.Object,
                ObjectType = h.Type,
                Name = h.Name,
                CreateTimestamp = rundown ? null : h.CreateTime,
                ThreadId = h.Thread,
                StackId = h.StackId,
                // Inherited handles arrive as duplicates into the child's table.
                Origin = h.Origin switch
                {
                    HandleOrigin.Created => LiveHandleOrigin.Created,
                    HandleOrigin.Rundown => LiveHandleOrigin.Rundown,
                    _ => LiveHandleOrigin.Duplicated,
                },
            };
        }
    }
}
