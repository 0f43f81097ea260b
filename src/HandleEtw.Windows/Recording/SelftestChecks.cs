using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Windows.Recording;

/// <summary>What the selftest child did: created <see cref="Created"/> Events, closed the values in
/// <see cref="Closed"/> and keeps <see cref="Open"/> open.</summary>
public sealed record SelftestExpectation(int ChildPid, IReadOnlyList<uint> Open, IReadOnlyList<uint> Closed)
{
    public int Created => Open.Count + Closed.Count;
}

public sealed record SelftestCheck(string Name, bool Passed, string Detail)
{
    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")}  {Name}: {Detail}";
}

/// <summary>
/// The checks of `handleetw selftest`, on a finished recording of the child: the end-of-run diff holds exactly the
/// handles it kept open, as Events of its pid with a stack; the history of every handle it closed ends with that
/// close; nothing was lost on the way. Platform-neutral, so a replay can drive it.
/// </summary>
public static class SelftestChecks
{
    public static IReadOnlyList<SelftestCheck> Evaluate(RecordingResult result, SelftestExpectation child, HandleEventBuffer childEvents,
        Core.Records.TraceInfo info)
    {
        var diff = result.Report.Diff;
        var open = child.Open.ToHashSet();
        var closed = child.Closed.ToHashSet();
        List<DiffHandle> mine = diff.Handles.Where(h => h.Pid == child.ChildPid && (open.Contains(h.Handle) || closed.Contains(h.Handle))).ToList();
        int stillOpen = mine.Count(h => open.Contains(h.Handle) && h.Type == "Event");
        int closedButListed = mine.Count(h => closed.Contains(h.Handle));
        int withStack = mine.Count(h => open.Contains(h.Handle) && h.StackId >= 0 && h.Stack.Count > 0);
        int closesSeen = child.Closed.Count(h => EndsWithClose(History(childEvents, info, result.Stacks, child.ChildPid, h)));
        return
        [
            new("handle events recorded", result.Records > 0 && !result.NoHandleEvents, $"{result.Records} records ({result.StopReason})"),
            new("diff lists the handles left open", stillOpen == open.Count && closedButListed == 0,
                $"{stillOpen} of {open.Count} open Events of pid {child.ChildPid} listed, {closedButListed} closed ones listed (expected {open.Count}, 0)"),
            new("open handles carry their stack", withStack == open.Count && open.Count > 0, $"{withStack} of {open.Count} with a stack"),
            new("history shows the closes", closesSeen == closed.Count, $"{closesSeen} of {closed.Count} closed handles end with CLOSE"),
            new("no events lost", result.LostEvents == 0 && !diff.Lossy && !childEvents.Overflowed,
                $"{result.LostEvents} lost{(diff.Lossy ? ", diff is lossy" : "")}{(childEvents.Overflowed ? ", child event buffer overflowed" : "")}"),
        ];
    }

    private static HistoryReport History(HandleEventBuffer events, Core.Records.TraceInfo info, StackTable stacks, int pid, uint handle)
    {
        var collector = new HistoryCollector(info, pid, handle);
        events.Replay(collector);
        return collector.Report(new StackContext(stacks, new ModuleMap(info.PointerSize)));
    }

    /// <summary>Newest first: the last event is a CLOSE, and an OPEN came before it.</summary>
    private static bool EndsWithClose(HistoryReport h) =>
        h.Entries.Count >= 2 && h.Entries[0].Kind == "CLOSE" && h.Entries.Skip(1).Any(e => e.Kind == "OPEN");
}

/// <summary>The child's handle events, kept so the history of a value learnt only after the run can be built;
/// bounded: past <see cref="Capacity"/> events it keeps nothing more and says so.</summary>
public sealed class HandleEventBuffer(int capacity = 200_000) : TraceConsumer
{
    private readonly List<HandleEvent> _events = new();
    private readonly List<(long Time, ushort Index, string Name)> _types = new();
    private LossEvent? _loss;

    public int Capacity => capacity;
    public bool Overflowed { get; private set; }

    public override void OnHandle(in HandleEvent e)
    {
        if (_events.Count < capacity) _events.Add(e);
        else Overflowed = true;
    }

    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => _types.Add((timestamp, typeIndex, name));

    public override void OnLoss(in LossEvent e) => _loss ??= e;

    public void Replay(TraceConsumer consumer)
    {
        foreach (var (time, index, name) in _types) consumer.OnObjectType(time, index, name);
        if (_loss is { } loss) consumer.OnLoss(loss);
        foreach (HandleEvent e in _events) consumer.OnHandle(e);
    }
}
