namespace HandleEtw.Core.Tracking;

/// <summary>Live handles of one process by type, like `!handle 0 0`.</summary>
public sealed record ProcessHandleSummary(int Pid, string Process, int Total, IReadOnlyList<(string Type, int Count)> ByType)
{
    /// <summary>The kernel's UniqueProcessKey (its EPROCESS address), 0 when the trace did not give it.</summary>
    public ulong ProcessKey { get; init; }
}

/// <summary>Handles of one (process, type, create stack) still open, with the verdict on its growth. FirstOpen and
/// LastOpen are the open times (seconds from trace start) of the oldest and newest of them.</summary>
public sealed record LeakGroupSummary(int Pid, string Process, string Type, int StackId, int Outstanding, int Created,
                                      double FirstOpen, double LastOpen, GrowthVerdict Verdict, string Origin, int StackPid)
{
    public double PerMinute => Verdict.PerMinute;
    public bool Growing => Verdict.Growing;
}

public sealed partial class HandleTracker
{
    /// <summary>Processes that are still running (exited ones hold no leaks).</summary>
    private IEnumerable<ProcessState> LiveProcesses() =>
        _processes.Values.Where(p => !p.Exited).OrderBy(p => p.Pid);

    /// <summary>Every handle open now in a running process.</summary>
    public IEnumerable<LiveHandle> EnumerateLive()
    {
        foreach (ProcessState process in LiveProcesses())
            foreach (int index in process.Table.Entries())
                yield return ToLive(process, index);
    }

    private LiveHandle ToLive(ProcessState process, int index)
    {
        HandleEntry e = _pool[index];
        LeakGroups.Group group = _groups[e.Group];
        return new LiveHandle(process.Pid, process.DisplayName, e.Handle, e.Object, group.Type, e.Name, e.CreateTime,
            e.Thread, group.StackId, e.Origin, e.OriginPid, e.OriginHandle);
    }

    /// <summary>Live handle counts per running process by type, most handles first (the `stats` type summary).</summary>
    public IReadOnlyList<ProcessHandleSummary> SummarizeLiveHandles()
    {
        var result = new List<ProcessHandleSummary>();
        foreach (ProcessState process in LiveProcesses())
        {
            if (process.Table.Count == 0) continue;
            var byType = new Dictionary<ushort, int>();
            foreach (int index in process.Table.Entries())
            {
                ushort type = _groups[_pool[index].Group].Type;
                byType[type] = byType.GetValueOrDefault(type) + 1;
            }
            var types = byType.Select(kv => (Types[kv.Key], kv.Value))
                .OrderByDescending(t => t.Value).ThenBy(t => t.Item1, StringComparer.Ordinal).ToList();
            result.Add(new ProcessHandleSummary(process.Pid, process.DisplayName, process.Table.Count, types)
                { ProcessKey = process.UniqueProcessKey });
        }
        return result.OrderByDescending(r => r.Total).ThenBy(r => r.Pid).ToList();
    }

    /// <summary>
    /// Groups with handles still open in rank order: growing groups (<see cref="GrowthRule"/>) first, fastest first;
    /// then flat ones, most handles first; ties by pid, type index and stack id (as scripts/leaks.sql orders them).
    /// </summary>
    public IReadOnlyList<LeakGroupSummary> LeakGroupSummaries()
    {
        var result = new List<(LeakGroupSummary Summary, ushort Type)>();
        foreach (ProcessState process in LiveProcesses())
        {
            long windowStart = process.StartedInTrace ? Math.Max(_info.StartTimestamp, process.StartTime) : _info.StartTimestamp;
            foreach ((int g, GroupOpens opens) in OpenTimeRanges(process, windowStart))
            {
                LeakGroups.Group group = _groups[g];
                (long first, long last) = (opens.First, opens.Last);
                GrowthVerdict verdict = GrowthRule.Judge(group.Outstanding, first, last, windowStart,
                    Math.Max(LastTimestamp, windowStart), _info.ClockFrequency);
                result.Add((new LeakGroupSummary(process.Pid, process.DisplayName, Types[group.Type], group.StackId,
                    group.Outstanding, group.Created, Seconds(first), Seconds(last), verdict,
                    opens.Mixed ? "mixed" : Origins.Name(opens.Origin), opens.StackPid), group.Type));
            }
        }
        return result
            .OrderBy(r => r.Summary.Growing ? 0 : 1)
            .ThenByDescending(r => r.Summary.Growing ? r.Summary.PerMinute : r.Summary.Outstanding)
            .ThenByDescending(r => r.Summary.Outstanding)
            .ThenBy(r => r.Summary.Pid).ThenBy(r => r.Type).ThenBy(r => r.Summary.StackId)
            .Select(r => r.Summary)
            .ToList();
    }

    /// <summary>Oldest and newest open time of the live handles of each group of a process (rundown handles, open
    /// since before the trace, count from the window's start), and the origin they share.</summary>
    private Dictionary<int, GroupOpens> OpenTimeRanges(ProcessState process, long windowStart)
    {
        var ranges = new Dictionary<int, GroupOpens>();
        foreach (int index in process.Table.Entries())
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

/// <summary>Live handle count of one running process.</summary>
public readonly record struct ProcessLiveCount(int Pid, string Process, int Live);

/// <summary>Outstanding handles of one (process, type, create stack) group.</summary>
public readonly record struct GroupLiveCount(int Pid, string Type, int StackId, int Outstanding);

public sealed partial class HandleTracker
{
    /// <summary>Live handle count of every running process, without walking the tables (for time series).</summary>
    public IEnumerable<ProcessLiveCount> LiveCounts()
    {
        foreach (ProcessState process in _processes.Values)
            if (!process.Exited) yield return new ProcessLiveCount(process.Pid, process.DisplayName, process.Table.Count);
    }

    /// <summary>Outstanding count of every group with handles open in a running process (for time series).</summary>
    public IEnumerable<GroupLiveCount> GroupCounts()
    {
        foreach (ProcessState process in _processes.Values)
        {
            if (process.Exited) continue;
            foreach (int g in process.Groups)
            {
                LeakGroups.Group group = _groups[g];
                if (group.Outstanding > 0)
                    yield return new GroupLiveCount(process.Pid, Types[group.Type], group.StackId, group.Outstanding);
            }
        }
    }
}
