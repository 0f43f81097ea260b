using System.Globalization;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Triggers;

/// <summary>A trigger that fired: which condition, when (raw timestamp), and what met it.</summary>
public sealed record TriggerFiring(TriggerSpec Spec, long Timestamp, string Detail);

/// <summary>
/// Evaluates `record --trigger` conditions on the handle tracker's live tables, in trace time (a replay fires where a
/// live run would, however fast it is read), once a second of trace time. A condition fires when it becomes true and
/// re-arms only once it is false again: a leak that keeps growing fires once, not once a second. Consumer thread only,
/// except <see cref="Status"/>, which the status line reads.
/// </summary>
public sealed class TriggerWatch
{
    private readonly HandleTracker _tracker;
    private readonly Func<int, bool> _isTarget;
    private readonly TriggerCondition[] _conditions;
    private long _next = long.MinValue;
    private volatile string _status = "";

    /// <param name="canonicalStack">The stack table's <c>Canonical</c>: a cached stack's provisional id and the id its
    /// frames settle on are one group.</param>
    public TriggerWatch(IReadOnlyList<TriggerSpec> specs, HandleTracker tracker, Func<int, bool>? isTarget = null,
        Func<int, int>? canonicalStack = null)
    {
        _tracker = tracker;
        _isTarget = isTarget ?? (_ => true);
        Func<int, int> canonical = canonicalStack ?? (id => id);
        _conditions = specs.Select(s => s.Metric == TriggerMetric.Growth ? (TriggerCondition)new GrowthCondition(s, canonical) : new CountCondition(s)).ToArray();
        _status = string.Join("; ", _conditions.Select(c => $"{c.Spec.Text} armed"));
    }

    public int Fired { get; private set; }

    /// <summary>One line for the status line: each condition, armed or fired, and how close it is.</summary>
    public string Status => _status;

    /// <summary>Evaluates when a second of trace time has passed since the last evaluation; a firing, or null.</summary>
    public TriggerFiring? Check(long timestamp)
    {
        if (timestamp < _next) return null;
        long ticks = _tracker.Info.ToRelativeTicks(timestamp);
        _next = timestamp + Math.Max(1, _tracker.Info.ClockFrequency);
        TriggerFiring? firing = null;
        var status = new List<string>(_conditions.Length);
        foreach (TriggerCondition c in _conditions)
        {
            (bool met, string detail) = c.Evaluate(_tracker, _isTarget, ticks);
            if (met && c.Armed && firing is null)
            {
                c.Armed = false;
                c.Fired++;
                Fired++;
                firing = new TriggerFiring(c.Spec, timestamp, detail);
            }
            else if (!met) c.Armed = true;
            status.Add($"{c.Spec.Text} {(c.Armed ? "armed" : "met")}{(c.Fired > 0 ? $", fired {c.Fired}×" : "")} ({detail})");
        }
        _status = string.Join("; ", status);
        return firing;
    }

    internal abstract class TriggerCondition(TriggerSpec spec)
    {
        public TriggerSpec Spec { get; } = spec;
        public bool Armed { get; set; } = true;
        public int Fired { get; set; }

        /// <summary>Whether the condition holds now, and a short description of the measured value.</summary>
        public abstract (bool Met, string Detail) Evaluate(HandleTracker tracker, Func<int, bool> isTarget, long ticks);

        protected static string Number(double value) => value.ToString("#,0.#", CultureInfo.InvariantCulture);
    }

    /// <summary>handles>N and TYPE>N: a sum over the watched processes' open handles.</summary>
    private sealed class CountCondition(TriggerSpec spec) : TriggerCondition(spec)
    {
        public override (bool, string) Evaluate(HandleTracker tracker, Func<int, bool> isTarget, long ticks)
        {
            var watched = new HashSet<int>();
            long count = 0;
            foreach (ProcessLiveCount p in tracker.LiveCounts())
            {
                if (!isTarget(p.Pid) || !Spec.Watches(p.Process)) continue;
                watched.Add(p.Pid);
                if (Spec.Metric == TriggerMetric.Handles) count += p.Live;
            }
            if (Spec.Metric == TriggerMetric.TypeHandles)
                foreach (GroupLiveCount g in tracker.GroupCounts())
                    if (watched.Contains(g.Pid) && string.Equals(g.Type, Spec.Type, StringComparison.OrdinalIgnoreCase))
                        count += g.Outstanding;
            string what = Spec.Metric == TriggerMetric.Handles ? "handles" : Spec.Type + " handles";
            return (count > Spec.Threshold, $"{Number(count)} {what}");
        }
    }
}
