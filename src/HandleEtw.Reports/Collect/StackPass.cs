using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Reports.Collect;

/// <summary>Key of a leak group: process, type name and create stack.</summary>
public readonly record struct GroupKey(int Pid, string Type, int StackId);

/// <summary>
/// Second pass: replays the trace into a fresh tracker and samples the outstanding count of the chosen groups only,
/// on the grid the first pass ended with (so both charts share their instants and no compaction happens). The replay
/// hands out the same stack ids as the first pass; <c>canonical</c> maps a provisional one to the id its frames settled
/// on, so groups whose stacks turned out equal are counted together.
/// </summary>
internal sealed class StackPass : TraceConsumer
{
    private readonly HandleTracker _tracker;
    private readonly HashSet<GroupKey> _wanted;
    private readonly Func<int, int> _canonical;

    /// <param name="origin">Where the sample grid starts (raw time); null: at the first event, as the first pass's.</param>
    public StackPass(TraceInfo info, IEnumerable<GroupKey> wanted, Func<int, int> canonical, long width, int maxSamples,
                     long? origin = null)
    {
        _canonical = canonical;
        _tracker = new HandleTracker(info);
        _wanted = wanted.ToHashSet();
        Sampler = new TimeSampler<GroupKey>(Read, width, maxSamples, maxKeys: Math.Max(1, _wanted.Count), origin);
    }

    public TimeSampler<GroupKey> Sampler { get; }

    public override void OnHandle(in HandleEvent e) { Sampler.Advance(e.Timestamp); _tracker.OnHandle(e); }
    public override void OnProcess(in ProcessEvent e) { Sampler.Advance(e.Timestamp); _tracker.OnProcess(e); }
    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => _tracker.OnObjectType(timestamp, typeIndex, name);
    public override void OnLoss(in LossEvent e) => _tracker.OnLoss(e);
    public override void OnSegment(in TraceSegment segment) => _tracker.OnSegment(segment);

    public override void OnEnd(long endTimestamp)
    {
        _tracker.OnEnd(endTimestamp);
        Sampler.Finish(_tracker.LastTimestamp);
    }

    private IEnumerable<(GroupKey, int)> Read()
    {
        var counts = new Dictionary<GroupKey, int>();
        foreach (GroupLiveCount g in _tracker.GroupCounts())
        {
            var key = new GroupKey(g.Pid, g.Type, _canonical(g.StackId));
            if (_wanted.Contains(key)) counts[key] = counts.GetValueOrDefault(key) + g.Outstanding;
        }
        foreach (var (key, count) in counts) yield return (key, count);
    }
}
