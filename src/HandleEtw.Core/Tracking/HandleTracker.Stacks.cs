using HandleEtw.Core.Events;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Core.Tracking;

public sealed partial class HandleTracker
{
    private int _aliasesApplied;
    private bool _namingApplied;
    private readonly Dictionary<string, int> _namings = new(StringComparer.Ordinal) { [""] = 0 };

    /// <summary>Counts method unloads per process (<see cref="ProcessState.MethodUnloads"/>).</summary>
    public override void OnMethod(in MethodEvent e)
    {
        if (e.Op == MethodOp.Unload && _processes.TryGetValue(e.ProcessId, out ProcessState? process)) process.MethodUnloads++;
    }

    /// <summary>The unload count of the process whose frames the stack holds (the one that logged the event).</summary>
    private int MethodUnloads(ProcessState owner, int loggingPid) =>
        owner.Pid == loggingPid ? owner.MethodUnloads
        : _processes.TryGetValue(loggingPid, out ProcessState? logger) ? logger.MethodUnloads : 0;

    /// <summary>
    /// Gives every group the canonical id of its create stack once the stack join has settled its provisional ids
    /// (see <see cref="StackTable.Canonical"/>): groups whose stacks turned out to have equal frames merge into one.
    /// With <paramref name="methods"/>, groups are also keyed by the .NET methods their JIT frames named at the
    /// creates: one address range can hold one method, then (unloaded) another, and those are different frames, so
    /// creates on either side of an unload stay apart only when the names differ. Call after the trace has been
    /// read; cheap when nothing changed since the last call.
    /// </summary>
    public void CanonicalizeStacks(StackTable stacks, ManagedMethodMap? methods = null)
    {
        bool naming = methods is not null && !_namingApplied && _processes.Values.Any(p => p.MethodUnloads > 0);
        if (stacks.Aliases == _aliasesApplied && !naming) return;
        _aliasesApplied = stacks.Aliases;
        _namingApplied |= naming;
        foreach (ProcessState process in _processes.Values)
        {
            bool named = naming && process.MethodUnloads > 0;
            Dictionary<int, int>? merged = _groups.Rekey(process, g =>
            {
                int stack = stacks.Canonical(g.StackId);
                return (stack, named ? NamingOf(stacks, methods!, process.Pid, stack, g.FirstCreate) : g.Naming);
            });
            if (merged is null) continue;
            foreach (int index in process.Table.Entries().Concat(process.GdiTable.Entries()).Concat(process.UserTable.Entries()))
            {
                ref HandleEntry entry = ref _pool[index];
                if (merged.TryGetValue(entry.Group, out int into)) entry.Group = into;
            }
        }
    }

    /// <summary>An id for the methods a stack's JIT frames named at <paramref name="time"/> (0: none).</summary>
    private int NamingOf(StackTable stacks, ManagedMethodMap methods, int pid, int stackId, long time)
    {
        if (stackId < 0) return 0;
        var names = new System.Text.StringBuilder();
        foreach (ulong frame in stacks.GetFrames(stackId))
            if (methods.Find(pid, frame, time) is { } m) names.Append(m.Start).Append('@').Append(m.Loaded).Append(';');
        string key = names.ToString();
        if (!_namings.TryGetValue(key, out int id)) _namings.Add(key, id = _namings.Count);
        return id;
    }
}
