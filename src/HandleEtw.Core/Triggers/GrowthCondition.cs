using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Triggers;

/// <summary>
/// growth>RATE,WINDOW: some (process, type, create stack) group gained at least RATE × WINDOW open handles over the
/// last WINDOW, and at least an eighth of that in each quarter of it, so a single burst or a table that only
/// churns does not fire. The groups' counts are sampled every eighth of the window; nine samples are kept, so memory
/// is nine counts per group whatever the run's length.
/// </summary>
internal sealed class GrowthCondition(TriggerSpec spec, Func<int, int> canonical) : TriggerWatch.TriggerCondition(spec)
{
    private const int Steps = 8;
    private readonly Queue<Dictionary<(int Pid, string Type, int Stack), int>> _samples = new();
    private readonly long _step = Math.Max(1, spec.Window.Ticks / Steps);
    private long _nextSample = long.MinValue;
    private (bool Met, string Detail) _last = (false, "warming up");

    public override (bool Met, string Detail) Evaluate(HandleTracker tracker, Func<int, bool> isTarget, long ticks)
    {
        if (ticks < _nextSample) return _last;
        _nextSample = ticks + _step;
        _samples.Enqueue(Sample(tracker, isTarget));
        if (_samples.Count > Steps + 1) _samples.Dequeue();
        if (_samples.Count <= Steps)
            return _last = (false, $"warming up, {_samples.Count - 1}/{Steps} of {Spec.Window.TotalMinutes:0.#} min");
        return _last = Judge();
    }

    private Dictionary<(int, string, int), int> Sample(HandleTracker tracker, Func<int, bool> isTarget)
    {
        var watched = new HashSet<int>();
        foreach (ProcessLiveCount p in tracker.LiveCounts())
            if (isTarget(p.Pid) && Spec.Watches(p.Process)) watched.Add(p.Pid);
        var counts = new Dictionary<(int, string, int), int>();
        foreach (GroupLiveCount g in tracker.GroupCounts())
            if (watched.Contains(g.Pid)) counts[(g.Pid, g.Type, g.StackId)] = g.Outstanding;
        return counts;
    }

    private Dictionary<(int, string, int), int> Canonical(Dictionary<(int Pid, string Type, int Stack), int> sample)
    {
        var merged = new Dictionary<(int, string, int), int>(sample.Count);
        foreach (((int pid, string type, int stack), int count) in sample)
        {
            var key = (pid, type, canonical(stack));
            merged[key] = merged.GetValueOrDefault(key) + count;
        }
        return merged;
    }

    private (bool, string) Judge()
    {
        // Stacks settle while the window passes (a cached key defined): count every sample under today's ids.
        var samples = _samples.Select(Canonical).ToArray();
        double needed = Spec.GrowthNeeded, quarterNeeded = needed / 8;
        Dictionary<(int, string, int), int> first = samples[0], last = samples[^1];
        int bestGain = int.MinValue;
        (int Pid, string Type, int Stack) best = default;
        bool met = false;
        foreach (((int, string, int) group, int now) in last)
        {
            int gain = now - first.GetValueOrDefault(group);
            if (!met && gain > bestGain) (bestGain, best) = (gain, group);
            if (gain < needed || met) continue;
            met = true;
            for (int q = 0; q < 4 && met; q++)
                met = samples[2 * q + 2].GetValueOrDefault(group) - samples[2 * q].GetValueOrDefault(group) >= quarterNeeded;
            if (met) (bestGain, best) = (gain, group);
        }
        if (bestGain == int.MinValue) return (false, "no open handles");
        double perMinute = bestGain / Spec.Window.TotalMinutes;
        return (met, $"pid {best.Pid} {best.Type} stack #{best.Stack}: {(bestGain >= 0 ? "+" : "")}{Number(bestGain)} in " +
                     $"{Spec.Window.TotalMinutes:0.#} min, {Number(perMinute)}/min");
    }
}
