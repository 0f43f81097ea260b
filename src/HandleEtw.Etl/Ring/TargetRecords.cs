using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl.Ring;

/// <summary>
/// Which raw records a ring kept to some processes holds (`record --preset long --process NAME`): handle events of
/// those processes (and duplicates into or out of them), their stack records and image events; every process,
/// thread, type and other record, which are few and name the rest.
/// </summary>
public static class TargetRecords
{
    public static bool Keep(in EventRecord r, Func<int, bool> isTarget)
    {
        if (ObjectPayloads.IsHandleEvent(r))
            return !ObjectPayloads.TryReadHandle(r, out HandleEvent e) || isTarget(e.ProcessId)
                || (e.Op == HandleOp.Duplicate && (isTarget(e.SourceProcessId) || isTarget(e.TargetProcessId)));
        if (r.Group == KernelGroup.StackWalk && r.Opcode is StackWalkPayloads.Stack or StackWalkPayloads.StackKeyKernel or StackWalkPayloads.StackKeyUser)
            return !StackWalkPayloads.TryReadTarget(r, out StackTarget target) || target.ProcessId < 0 || isTarget(target.ProcessId);
        if (ImagePayloads.IsImageEvent(r))
            return !ImagePayloads.TryRead(r, out ImageEvent image) || image.ProcessId == 0 || isTarget(image.ProcessId);
        return true;
    }
}
