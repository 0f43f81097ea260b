using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Reports.Collect;

/// <summary>
/// The report's main pass: a tracker and the diff recorder, live counts per process sampled over time, the type
/// counts once the start rundown is over, and the figures of the at-a-glance table.
/// </summary>
internal sealed class FirstPass : TraceConsumer
{
    private readonly DiffRecorder _diff;
    private readonly HashSet<int> _pids = new();
    private bool _startTaken;

    public FirstPass(TraceInfo info, ReportOptions options)
    {
        Tracker = new HandleTracker(info);
        Coverage = new TraceCoverage(info);
        _diff = new DiffRecorder(Tracker, options.From, options.To);
        Sampler = new TimeSampler<(int Pid, string Process)>(ReadProcesses, InitialWidth(info, options.MaxSamples), options.MaxSamples);
        GuiSampler = new TimeSampler<(int Pid, string Process, string Kind)>(ReadGuiObjects, InitialWidth(info, options.MaxSamples), options.MaxSamples);
    }

    public HandleTracker Tracker { get; }

    /// <summary>Whether the trace has handle events and stacks on them (the page's top banner when not).</summary>
    public TraceCoverage Coverage { get; }
    public TimeSampler<(int Pid, string Process)> Sampler { get; }

    /// <summary>GDI and USER objects per owning process, on the same grid as <see cref="Sampler"/>.</summary>
    public TimeSampler<(int Pid, string Process, string Kind)> GuiSampler { get; }

    /// <summary>Type counts per process when the first non-rundown handle event arrived (empty without handle events).</summary>
    public IReadOnlyList<ProcessHandleSummary> StartTypes { get; private set; } = [];

    public int Processes => _pids.Count;

    public DiffReport Diff(StackContext context, ProcessFilter filter) => _diff.Report(context, filter);

    public override void OnHandle(in HandleEvent e)
    {
        Seen(e.Timestamp);
        if (!_startTaken && e.Op != HandleOp.RundownStart)
        {
            StartTypes = Tracker.SummarizeLiveHandles();
            _startTaken = true;
        }
        _pids.Add(e.ProcessId);
        Coverage.OnHandle(e);
        _diff.OnHandle(e);
    }

    public override void OnGuiHandle(in GuiHandleEvent e)
    {
        Seen(e.Timestamp);
        _diff.OnGuiHandle(e);
    }

    public override void OnProcess(in ProcessEvent e)
    {
        Seen(e.Timestamp);
        _pids.Add(e.ProcessId);
        Coverage.OnProcess(e);
        _diff.OnProcess(e);
    }

    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => _diff.OnObjectType(timestamp, typeIndex, name);
    public override void OnLoss(in LossEvent e)
    {
        Coverage.OnLoss(e);
        _diff.OnLoss(e);
    }
    public override void OnSegment(in TraceSegment segment) => _diff.OnSegment(segment);
    public override void OnMethod(in MethodEvent e) => _diff.OnMethod(e);

    public override void OnEnd(long endTimestamp)
    {
        _diff.OnEnd(endTimestamp);
        if (!_startTaken)
        {
            StartTypes = Tracker.SummarizeLiveHandles();
            _startTaken = true;
        }
        Sampler.Finish(Tracker.LastTimestamp);
        GuiSampler.Finish(Tracker.LastTimestamp);
    }

    private void Seen(long timestamp)
    {
        Sampler.Advance(timestamp);
        if (Tracker.HasGuiEvents) GuiSampler.Advance(timestamp);
    }

    private IEnumerable<((int, string, string), int)> ReadGuiObjects()
    {
        foreach (ProcessLiveCount p in Tracker.LiveCounts())
        {
            if (p.Gdi > 0) yield return ((p.Pid, p.Process, "GDI"), p.Gdi);
            if (p.User > 0) yield return ((p.Pid, p.Process, "USER"), p.User);
        }
    }

    private IEnumerable<((int, string), int)> ReadProcesses()
    {
        foreach (ProcessLiveCount p in Tracker.LiveCounts()) yield return ((p.Pid, p.Process), p.Live);
    }

    /// <summary>The header's time range split into the sample count, or 1 ms when the header has no usable end.</summary>
    internal static long InitialWidth(TraceInfo info, int samples)
    {
        long millisecond = Math.Max(1, info.ClockFrequency / 1000);
        if (info.EndUtc <= info.StartUtc) return millisecond;
        long span = info.FromUtc(info.EndUtc) - info.StartTimestamp;
        return Math.Max(millisecond, span / samples);
    }
}
