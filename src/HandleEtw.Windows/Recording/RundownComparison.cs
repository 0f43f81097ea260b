using HandleEtw.Core.Events;

namespace HandleEtw.Windows.Recording;

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

    /// <summary>Compares only processes the rundown lists: a process it skipped says nothing about our table.</summary>
    public static RundownDifferences Compare(IReadOnlyDictionary<HandleKey, OpenHandle> table, IReadOnlyList<HandleEvent> rundownEnd)
    {
        var rundown = new Dictionary<HandleKey, ulong>();
        foreach (HandleEvent e in rundownEnd)
        {
            uint handle = e.Handle;
            int pid = (handle & HandleEvent.KernelHandleBit) != 0 ? 4 : e.ProcessId;
            rundown[new HandleKey(pid, handle)] = e.Object;
        }
        var processes = rundown.Keys.Select(k => k.ProcessId).ToHashSet();
        var onlyInRundown = new List<HandleKey>();
        var mismatch = new List<HandleKey>();
        int matching = 0;
        foreach (var (key, obj) in rundown)
        {
            if (!table.TryGetValue(key, out OpenHandle open)) onlyInRundown.Add(key);
            else if (open.Object != 0 && obj != 0 && open.Object != obj) mismatch.Add(key);
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
