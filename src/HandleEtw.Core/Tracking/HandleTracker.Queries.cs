namespace HandleEtw.Core.Tracking;

/// <summary>Live handles of one process by type, like `!handle 0 0`.</summary>
public sealed record ProcessHandleSummary(int Pid, string Process, int Total, IReadOnlyList<(string Type, int Count)> ByType)
{
    /// <summary>The kernel's UniqueProcessKey (its EPROCESS address), 0 when the trace did not give it.</summary>
    public ulong ProcessKey { get; init; }
}

/// <summary>Handles of one (process, type, create stack) still open, with the growth of that group.</summary>
public sealed record LeakGroupSummary(int Pid, string Process, string Type, int StackId, int Outstanding, int Created, double PerMinute);

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
    /// Groups with handles still open, leaks first: a growing group (positive slope of its outstanding count over the
    /// trace) ranks above any flat one, whatever their sizes.
    /// </summary>
    public IReadOnlyList<LeakGroupSummary> LeakGroupSummaries(double minPerMinute = 0.5)
    {
        double end = Seconds(LastTimestamp);
        var result = new List<LeakGroupSummary>();
        foreach (ProcessState process in LiveProcesses())
            foreach (int g in process.Groups)
            {
                LeakGroups.Group group = _groups[g];
                if (group.Outstanding <= 0) continue;
                double perMinute = _groups.Slope(g, end) * 60;
                result.Add(new LeakGroupSummary(process.Pid, process.DisplayName, Types[group.Type], group.StackId,
                    group.Outstanding, group.Created, perMinute));
            }
        return result
            .OrderBy(r => r.PerMinute >= minPerMinute ? 0 : 1)
            .ThenByDescending(r => r.PerMinute >= minPerMinute ? r.PerMinute : r.Outstanding)
            .ThenByDescending(r => r.Outstanding)
            .ToList();
    }
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
