using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Windows.Recording;

/// <summary>A handle table slot: kernel handles (bit 31) live in PID 4's table (windows-live.md finding 12).</summary>
public readonly record struct HandleKey(int ProcessId, uint Handle)
{
    public static HandleKey Routed(int processId, uint handle) =>
        new((handle & HandleEvent.KernelHandleBit) != 0 ? HandleTracker.KernelPid : processId, handle);
}

/// <summary>The end-of-trace rundown rows (HandleDCEnd) as they arrive; consumer thread only.</summary>
public sealed class RundownEndRows : TraceConsumer
{
    private readonly List<HandleEvent> _rows = new();

    public IReadOnlyList<HandleEvent> Rows => _rows;

    public override void OnHandle(in HandleEvent e)
    {
        if (e.Op == HandleOp.RundownEnd) _rows.Add(e);
    }
}

/// <summary>
/// The end-of-trace rundown (HandleDCEnd) against the table built from the inventory and the events. The inventory
/// is the source of truth; this only measures how far the two agree (windows-live.md finding 15, §4.4).
/// </summary>
public sealed record RundownDifferences(
    int RundownRows,
    int Matching,
    IReadOnlyList<HandleKey> OnlyInRundown,
    IReadOnlyList<HandleKey> OnlyInTable,
    IReadOnlyList<HandleKey> ObjectMismatch)
{
    public bool Agrees => OnlyInRundown.Count == 0 && OnlyInTable.Count == 0 && ObjectMismatch.Count == 0;

    /// <summary>The tracker's open handles (running processes) as slot → object address (0 when unknown).</summary>
    public static Dictionary<HandleKey, ulong> TableOf(HandleTracker tracker)
    {
        var table = new Dictionary<HandleKey, ulong>();
        foreach (LiveHandle h in tracker.EnumerateLive()) table[new HandleKey(h.Pid, h.Handle)] = h.Object;
        return table;
    }

    /// <summary>Compares only processes the rundown lists: a process it skipped says nothing about our table.</summary>
    public static RundownDifferences Compare(IReadOnlyDictionary<HandleKey, ulong> table, IReadOnlyList<HandleEvent> rundownEnd)
    {
        var rundown = new Dictionary<HandleKey, ulong>();
        foreach (HandleEvent e in rundownEnd) rundown[HandleKey.Routed(e.ProcessId, e.Handle)] = e.Object;
        var processes = rundown.Keys.Select(k => k.ProcessId).ToHashSet();
        var onlyInRundown = new List<HandleKey>();
        var mismatch = new List<HandleKey>();
        int matching = 0;
        foreach (var (key, obj) in rundown)
        {
            if (!table.TryGetValue(key, out ulong open)) onlyInRundown.Add(key);
            else if (open != 0 && obj != 0 && open != obj) mismatch.Add(key);
            else matching++;
        }
        var onlyInTable = table.Keys.Where(k => processes.Contains(k.ProcessId) && !rundown.ContainsKey(k)).ToList();
        return new RundownDifferences(rundown.Count, matching, Sorted(onlyInRundown), Sorted(onlyInTable), Sorted(mismatch));
    }

    private static List<HandleKey> Sorted(List<HandleKey> keys)
    {
        keys.Sort((a, b) => a.ProcessId != b.ProcessId ? a.ProcessId.CompareTo(b.ProcessId) : a.Handle.CompareTo(b.Handle));
        return keys;
    }

    public string Summary() => RundownRows == 0
        ? "end rundown: none delivered (the inventory and the events are the only source)"
        : $"end rundown: {RundownRows} handles, {Matching} agree, {OnlyInRundown.Count} missing from our table, " +
          $"{OnlyInTable.Count} open only in our table, {ObjectMismatch.Count} with another object";
}
