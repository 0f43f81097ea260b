using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

/// <summary>Origin: `created`, `duplicated` or `inherited` (then OriginPid/OriginHandle name the source).</summary>
public sealed record DiffHandle(int Pid, string Process, int Tid, uint Handle, ulong Object, string Type, string? Name, double Time,
                                int StackId, IReadOnlyList<string> Stack, string Origin = "created", int OriginPid = 0,
                                uint OriginHandle = 0, string HandleKind = "kernel");

public sealed record DiffGroup(int Pid, string Process, string Type, int Count, int StackId, IReadOnlyList<string> Stack,
                               string HandleKind = "kernel");

public sealed record DiffReport(double From, double To, bool Lossy, IReadOnlyList<DiffHandle> Handles, IReadOnlyList<DiffGroup> Groups)
{
    /// <summary>The handles of each group in time order, keyed as the groups were built (see DiffRecorder.Report).</summary>
    public ILookup<(int Pid, string Type, int StackId, IReadOnlyList<string> Stack, string HandleKind), DiffHandle> HandlesByGroup() =>
        Handles.ToLookup(GroupKey);

    public static (int Pid, string Type, int StackId, IReadOnlyList<string> Stack, string HandleKind) GroupKey(DiffHandle h) =>
        (h.Pid, h.Type, h.StackId, h.Stack, h.HandleKind);
    public static (int Pid, string Type, int StackId, IReadOnlyList<string> Stack, string HandleKind) GroupKey(DiffGroup g) =>
        (g.Pid, g.Type, g.StackId, g.Stack, g.HandleKind);

    /// <summary>The first <paramref name="groups"/> groups and only the handles that belong to them.</summary>
    public DiffReport Top(int groups)
    {
        if (groups >= Groups.Count) return this;
        var kept = Groups.Take(groups).ToList();
        var keys = kept.Select(GroupKey).ToHashSet();
        return this with { Groups = kept, Handles = Handles.Where(h => keys.Contains(GroupKey(h))).ToList() };
    }
}

/// <summary>How much of a diff the text form lists: the top groups, and the first handles of each.</summary>
public sealed record DiffLimits(int Groups, int HandlesPerGroup)
{
    public static readonly DiffLimits All = new(int.MaxValue, int.MaxValue);
    public bool ListsAll => Groups == int.MaxValue && HandlesPerGroup == int.MaxValue;
}

/// <summary>
/// `!htrace -diff`: feeds a tracker and, when the stream passes --to (or ends), keeps the handles opened after --from
/// that are still open. Without --from, "after" means after the start rundown: rundown handles are never listed.
/// </summary>
public sealed class DiffRecorder(HandleTracker tracker, long? from, long? to, HandleKind? kind = HandleKind.Kernel) : TraceConsumer
{
    private List<LiveHandle>? _taken;
    private long _takenAt;

    public override void OnHandle(in HandleEvent e) { Check(e.Timestamp); tracker.OnHandle(e); }
    public override void Prefetch(in HandleEvent e) => tracker.Prefetch(e); // the tracker's hints, as without a diff
    public override void OnGuiHandle(in GuiHandleEvent e) { Check(e.Timestamp); tracker.OnGuiHandle(e); }
    public override void OnProcess(in ProcessEvent e) { Check(e.Timestamp); tracker.OnProcess(e); }
    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => tracker.OnObjectType(timestamp, typeIndex, name);
    public override void OnLoss(in LossEvent e) => tracker.OnLoss(e);
    public override void OnMethod(in MethodEvent e) => tracker.OnMethod(e);
    public override void OnSegment(in TraceSegment segment) => tracker.OnSegment(segment);

    public override void OnEnd(long endTimestamp)
    {
        tracker.OnEnd(endTimestamp);
        if (_taken is null) Take(tracker.LastTimestamp);
    }

    private void Check(long timestamp)
    {
        if (_taken is null && to is long t && timestamp > t) Take(t);
    }

    private void Take(long at)
    {
        _takenAt = at;
        _taken = tracker.EnumerateLive(kind)
            .Where(h => h.Origin != HandleOrigin.Rundown && (from is not long f || h.CreateTime > f))
            .ToList();
    }

    public DiffReport Report(StackContext context, ProcessFilter filter)
    {
        if (_taken is null) Take(tracker.LastTimestamp);
        var rendered = new RenderedStacks(context);
        // Taken as the trace went: a provisional stack id then stands for the id its frames settled on.
        var handles = _taken!.Where(h => filter.Matches(h.Pid, h.Process))
            .Select(h => h with { StackId = context.Stacks.Canonical(h.StackId) })
            .OrderBy(h => h.CreateTime).ThenBy(h => h.Pid).ThenBy(h => h.Handle)
            .Select(h => new DiffHandle(h.Pid, h.Process, h.Thread, h.Handle, h.Object, tracker.TypeName(h.Kind, h.Type), h.Name,
                tracker.Seconds(h.CreateTime), h.StackId, rendered.Frames(h.StackId, StackPid(h), h.CreateTime),
                Origins.Name(h.Origin), h.OriginPid, h.OriginHandle, HandleKinds.Name(h.Kind)))
            .ToList();
        // The rendering is part of the key (shared instances, compared by reference): one stack's addresses can name
        // different .NET methods at different times (code unloaded, its range reused).
        var groups = handles.GroupBy(DiffReport.GroupKey)
            .Select(g => new DiffGroup(g.Key.Pid, g.First().Process, g.Key.Type, g.Count(), g.Key.StackId, g.First().Stack, g.Key.HandleKind))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Pid).ThenBy(g => g.Type, StringComparer.Ordinal)
            .ToList();
        double fromSeconds = from is long f ? tracker.Seconds(f) : tracker.RundownTimestamp is long r ? tracker.Seconds(r) : 0;
        return new DiffReport(fromSeconds, tracker.Seconds(_takenAt), tracker.Lossy, handles, groups);
    }

    /// <summary>User frames of a kernel handle belong to the process that logged its create, those of an inherited
    /// handle to the parent that logged the inheritance duplicate.</summary>
    internal static int StackPid(in LiveHandle h) =>
        h.Origin is HandleOrigin.Created or HandleOrigin.Inherited && h.OriginPid > 0 ? h.OriginPid : h.Pid;
}
