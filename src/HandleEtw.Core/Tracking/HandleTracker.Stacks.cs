using HandleEtw.Core.Stacks;

namespace HandleEtw.Core.Tracking;

public sealed partial class HandleTracker
{
    private int _aliasesApplied;

    /// <summary>
    /// Gives every group the canonical id of its create stack once the stack join has settled its provisional ids
    /// (see <see cref="StackTable.Canonical"/>): groups whose stacks turned out to have equal frames merge into one.
    /// Call after the trace has been read; cheap when nothing changed since the last call.
    /// </summary>
    public void CanonicalizeStacks(StackTable stacks)
    {
        if (stacks.Aliases == _aliasesApplied) return;
        _aliasesApplied = stacks.Aliases;
        foreach (ProcessState process in _processes.Values)
        {
            Dictionary<int, int>? merged = _groups.Rekey(process, stacks.Canonical);
            if (merged is null) continue;
            foreach (int index in process.Table.Entries().Concat(process.GdiTable.Entries()).Concat(process.UserTable.Entries()))
            {
                ref HandleEntry entry = ref _pool[index];
                if (merged.TryGetValue(entry.Group, out int into)) entry.Group = into;
            }
        }
    }
}
