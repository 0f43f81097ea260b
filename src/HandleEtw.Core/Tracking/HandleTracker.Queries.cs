using System.Runtime.InteropServices;
using HandleEtw.Core.Events;
using HandleEtw.Core.Text;

namespace HandleEtw.Core.Tracking;

/// <summary>Live handles of one process by type, like `!handle 0 0`.</summary>
public sealed record ProcessHandleSummary(int Pid, string Process, int Total, IReadOnlyList<(string Type, int Count)> ByType)
{
    public Events.HandleKind Kind { get; init; }

    /// <summary>The kernel's UniqueProcessKey (its EPROCESS address), 0 when the trace did not give it.</summary>
    public ulong ProcessKey { get; init; }
}

/// <summary>Handles of one (process, type, create stack) still open, with the verdict on its growth. FirstOpen and
/// LastOpen are the open times (seconds from trace start) of the oldest and newest of them.</summary>
public sealed record LeakGroupSummary(int Pid, string Process, string Type, int StackId, int Outstanding, int Created,
                                      double FirstOpen, double LastOpen, GrowthVerdict Verdict, string Origin, int StackPid)
{
    public Events.HandleKind Kind { get; init; }

    /// <summary>GDI/USER: the HandleType value (16 bits), named in <see cref="Type"/>.</summary>
    public ushort TypeValue { get; init; }

    /// <summary>Raw time of the group's oldest live handle: its frames are named as they were then (a JIT range can
    /// hold other methods at other times, and every handle of a group had the same names).</summary>
    public long LabelTimestamp { get; init; }
    public double PerMinute => Verdict.PerMinute;
    public bool Growing => Verdict.Growing;
}

public sealed partial class HandleTracker
{
    /// <summary>Processes that are still running (exited ones hold no leaks), by pid.</summary>
    private List<ProcessState> LiveProcesses()
    {
        var live = new List<ProcessState>();
        foreach (ProcessState p in _processes.Values)
            if (!p.Exited) live.Add(p);
        StartupText.SortStable(live, static (a, b) => a.Pid.CompareTo(b.Pid));
        return live;
    }

    private static readonly HandleKind[] AllKinds = [HandleKind.Kernel, HandleKind.Gdi, HandleKind.User];

    /// <summary>The kinds a query covers: one, or all of them for null.</summary>
    private static HandleKind[] KindsOf(HandleKind? kind) => kind is HandleKind k ? [k] : AllKinds;

    /// <summary>Every handle open now in a running process (kernel handles unless <paramref name="kind"/> says
    /// otherwise; null: every kind).</summary>
    public IEnumerable<LiveHandle> EnumerateLive(HandleKind? kind = HandleKind.Kernel)
    {
        foreach (ProcessState process in LiveProcesses())
            foreach (HandleKind k in KindsOf(kind))
                foreach (int index in process.TableOf(k).Entries())
                    yield return ToLive(process, index, k);
    }

    private LiveHandle ToLive(ProcessState process, int index, HandleKind kind)
    {
        HandleEntry e = _pool[index];
        LeakGroups.Group group = _groups[e.Group];
        // GDI/USER entries keep the session in OriginHandle; handed out as 0 (they have no origin handle).
        return new LiveHandle(process.Pid, process.DisplayName, e.Handle, e.Object, group.Type, e.Name, e.CreateTime,
            e.Thread, group.StackId, e.Origin, e.OriginPid, kind == HandleKind.Kernel ? e.OriginHandle : 0, kind);
    }

    /// <summary>Live handle counts per running process by type, most handles first (the `stats` type summary).</summary>
    public IReadOnlyList<ProcessHandleSummary> SummarizeLiveHandles(HandleKind kind = HandleKind.Kernel)
    {
        var result = new List<ProcessHandleSummary>();
        foreach (ProcessState process in LiveProcesses())
        {
            HandleTable table = process.TableOf(kind);
            if (table.Count == 0) continue;
            var byType = new Dictionary<ushort, int>();
            foreach (int index in table.Entries())
                CollectionsMarshal.GetValueRefOrAddDefault(byType, _groups[_pool[index].Group].Type, out _)++;
            var types = new List<(string Type, int Count)>(byType.Count);
            foreach (var (type, count) in byType) types.Add((TypeName(kind, type), count));
            StartupText.SortStable(types, static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : StartupText.CompareOrdinal(a.Type, b.Type));
            result.Add(new ProcessHandleSummary(process.Pid, process.DisplayName, table.Count, types)
                { ProcessKey = process.UniqueProcessKey, Kind = kind });
        }
        StartupText.SortStable(result, static (a, b) => a.Total != b.Total ? b.Total.CompareTo(a.Total) : a.Pid.CompareTo(b.Pid));
        return result;
    }

    /// <summary>
    /// Groups with handles still open in rank order: growing groups (<see cref="GrowthRule"/>) first, fastest first;
    /// then flat ones, most handles first; ties by pid, type index and stack id (as scripts/leaks.sql orders them).
    /// </summary>
    public IReadOnlyList<LeakGroupSummary> LeakGroupSummaries(HandleKind? kind = HandleKind.Kernel)
    {
        var result = new List<(LeakGroupSummary Summary, ushort Type)>();
        foreach (ProcessState process in LiveProcesses())
        {
            long windowStart = process.StartedInTrace ? Math.Max(_info.StartTimestamp, process.StartTime) : _info.StartTimestamp;
            foreach (HandleKind k in KindsOf(kind))
            foreach ((int g, GroupOpens opens) in OpenTimeRanges(process.TableOf(k), process, windowStart))
            {
                LeakGroups.Group group = _groups[g];
                (long first, long last) = (opens.First, opens.Last);
                GrowthVerdict verdict = GrowthRule.Judge(group.Outstanding, first, last, windowStart,
                    Math.Max(LastTimestamp, windowStart), _info.ClockFrequency);
                result.Add((new LeakGroupSummary(process.Pid, process.DisplayName, TypeName(k, group.Type), group.StackId,
                    group.Outstanding, group.Created, Seconds(first), Seconds(last), verdict,
                    opens.Mixed ? "mixed" : Origins.Name(opens.Origin), opens.StackPid) { Kind = k, TypeValue = group.Type, LabelTimestamp = first },
                    group.Type));
            }
        }
        return result
            .OrderBy(r => r.Summary.Growing ? 0 : 1)
            .ThenByDescending(r => r.Summary.Growing ? r.Summary.PerMinute : r.Summary.Outstanding)
            .ThenByDescending(r => r.Summary.Outstanding)
            .ThenBy(r => r.Summary.Pid).ThenBy(r => r.Type).ThenBy(r => r.Summary.StackId).ThenBy(r => r.Summary.LabelTimestamp)
            .Select(r => r.Summary)
            .ToList();
    }

    /// <summary>Oldest and newest open time of the live handles of each group of a process (rundown handles, open
    /// since before the trace, count from the window's start), and the origin they share.</summary>
    private Dictionary<int, GroupOpens> OpenTimeRanges(HandleTable table, ProcessState process, long windowStart)
    {
        var ranges = new Dictionary<int, GroupOpens>();
        foreach (int index in table.Entries())
        {
            HandleEntry e = _pool[index];
            long opened = e.Origin == HandleOrigin.Rundown ? windowStart : e.CreateTime;
            int stackPid = e.Origin is HandleOrigin.Created or HandleOrigin.Inherited && e.OriginPid > 0 ? e.OriginPid : process.Pid;
            ranges[e.Group] = ranges.TryGetValue(e.Group, out GroupOpens r)
                ? new GroupOpens(Math.Min(r.First, opened), Math.Max(r.Last, opened), r.Origin, r.Mixed || r.Origin != e.Origin, r.StackPid)
                : new GroupOpens(opened, opened, e.Origin, false, stackPid);
        }
        return ranges;
    }

    private readonly record struct GroupOpens(long First, long Last, HandleOrigin Origin, bool Mixed, int StackPid);
}

/// <summary>Live handle count of one running process (GDI and USER objects apart).</summary>
public readonly record struct ProcessLiveCount(int Pid, string Process, int Live, int Gdi = 0, int User = 0);

/// <summary>Outstanding handles of one (process, type, create stack) group.</summary>
public readonly record struct GroupLiveCount(int Pid, string Type, int StackId, int Outstanding,
                                             HandleKind Kind = HandleKind.Kernel);

public sealed partial class HandleTracker
{
    /// <summary>Live handle count of every running process, without walking the tables (for time series).</summary>
    public IEnumerable<ProcessLiveCount> LiveCounts()
    {
        foreach (ProcessState process in _processes.Values)
            if (!process.Exited)
                yield return new ProcessLiveCount(process.Pid, process.DisplayName, process.Table.Count,
                    process.GdiTable.Count, process.UserTable.Count);
    }

    /// <summary>Outstanding count of every group with handles open in a running process (for time series).</summary>
    public IEnumerable<GroupLiveCount> GroupCounts(HandleKind? kind = HandleKind.Kernel)
    {
        foreach (ProcessState process in _processes.Values)
        {
            if (process.Exited) continue;
            foreach (int g in process.Groups)
            {
                LeakGroups.Group group = _groups[g];
                if (group.Outstanding > 0 && (kind is null || group.Kind == kind))
                    yield return new GroupLiveCount(process.Pid, TypeName(group.Kind, group.Type), group.StackId,
                        group.Outstanding, group.Kind);
            }
        }
    }
}
