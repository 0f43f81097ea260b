using HandleEtw.Core.Events;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Windows.Recording;

/// <summary>One group of handles opened after the first snapshot and still open at the end.</summary>
public sealed record LeakGroup(int ProcessId, ushort ObjectType, string TypeName, int StackId, int Count);

/// <summary>Object type names from the inventory and the type rundown; consumer thread only.</summary>
public sealed class TypeNames : TraceConsumer
{
    private readonly Dictionary<ushort, string> _names = new();

    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => _names[typeIndex] = name;

    public string Get(ushort typeIndex) => _names.TryGetValue(typeIndex, out string? n) ? n : $"type {typeIndex}";
}

/// <summary>The end-of-run output: htrace-style diff between the first snapshot and the end, ranked as leaks.</summary>
public static class EndReport
{
    public static List<LeakGroup> Leaks(OpenHandleTable table, TargetFilter filter, TypeNames types, long firstSnapshot) =>
        table.Open
            .Where(kv => !kv.Value.FromInventory && kv.Value.Timestamp >= firstSnapshot && filter.IsTarget(kv.Key.ProcessId))
            .GroupBy(kv => (kv.Key.ProcessId, kv.Value.ObjectType, kv.Value.StackId))
            .Select(g => new LeakGroup(g.Key.ProcessId, g.Key.ObjectType, types.Get(g.Key.ObjectType), g.Key.StackId, g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.ProcessId).ThenBy(g => g.StackId)
            .ToList();

    public static void Write(TextWriter w, IReadOnlyList<LeakGroup> leaks, StackTable stacks, int top, int maxFrames = 12)
    {
        int total = leaks.Sum(l => l.Count);
        w.WriteLine($"diff first snapshot → end: {total} handles opened and still open, in {leaks.Count} groups");
        foreach (LeakGroup g in leaks.Take(top))
        {
            w.WriteLine($"  {g.Count,7}  pid {g.ProcessId}  {g.TypeName}  stack {(g.StackId < 0 ? "(none)" : g.StackId.ToString())}");
            ReadOnlySpan<ulong> frames = g.StackId < 0 ? default : stacks.GetFrames(g.StackId);
            for (int i = 0; i < Math.Min(frames.Length, maxFrames); i++)
                w.WriteLine($"             0x{frames[i]:x16}");
            if (frames.Length > maxFrames) w.WriteLine($"             … {frames.Length - maxFrames} more frames");
        }
    }
}
