using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Core.Text;
using HandleEtw.Core.Tracking;
using HandleEtw.Core.Triggers;
using HandleEtw.Etl.Ring;
using HandleEtw.Parquet;

namespace HandleEtw.Windows.Recording;

/// <summary>
/// `record --ring SIZE`: the last SIZE of raw records in memory while the handle tracker keeps the whole run's live
/// tables; a capture of the ring at each trigger (`--trigger`, up to `--trigger-count`), and at the end of the run
/// (Ctrl+C, --duration, the source ending) unless the last trigger ended it. Sits after the decoder on the consumer
/// thread, so a trigger sees the tables with the record that met it.
/// </summary>
internal sealed class RingRecording : IRecordSink
{
    private readonly RecordOptions _options;
    private readonly TraceInfo _info;
    private readonly StackTable _stacks;
    private readonly HandleTracker _tracker;
    private readonly TargetFilter _filter;
    private readonly Func<EndReport> _reportNow;
    private readonly TextWriter _out;
    private readonly Action _stopRun;
    private readonly List<CaptureOutput> _open = [];
    private readonly List<CaptureOutput> _written = [];
    private readonly Func<int, bool>? _keepProcess;
    private long _last;

    public RingRecording(RecordOptions options, TraceInfo info, StackTable stacks, HandleTracker tracker, TargetFilter filter,
        Func<EndReport> reportNow, TextWriter output, Action stopRun, Func<int, bool>? keepProcess = null)
    {
        _keepProcess = keepProcess;
        _options = options;
        _info = info;
        _stacks = stacks;
        _tracker = tracker;
        _filter = filter;
        _reportNow = reportNow;
        _out = output;
        _stopRun = stopRun;
        Ring = new HistoryRing(options.Ring!.Value);
        if (options.Triggers.Count > 0)
            Triggers = new TriggerWatch(options.Triggers, tracker, filter.IsActive ? filter.IsTarget : null, stacks.Canonical);
    }

    public HistoryRing Ring { get; }
    public RingContext Context { get; } = new();
    public TriggerWatch? Triggers { get; }

    /// <summary>The last trigger the run waited for fired: the run ends, and that capture is its last.</summary>
    public bool EndedByTrigger { get; private set; }

    /// <summary>Every capture, in order, once finished.</summary>
    public IReadOnlyList<CaptureOutput> Captures => _written;


    public IReadOnlyList<TriggerFiring> Firings => _firings;
    private readonly List<TriggerFiring> _firings = [];

    public void OnRecord(in EventRecord record)
    {
        _last = Math.Max(_last, record.Timestamp);
        Context.OnRecord(record);
        if (_keepProcess is null || TargetRecords.Keep(record, _keepProcess)) Ring.OnRecord(record);
        for (int i = _open.Count - 1; i >= 0; i--)
            if (_open[i].Capture!.OnLaterRecord(record)) Close(i);
        // In the tracker's time: events wait in the decoder for their stacks, so the tables trail the records.
        if (EndedByTrigger || Triggers?.Check(_tracker.LastTimestamp) is not { } firing) return;
        _firings.Add(firing);
        _out.WriteLine($"trigger {Triggers.Fired} of {_options.TriggerCount} at {_tracker.Seconds(firing.Timestamp):0.###} s: " +
                       $"{firing.Spec.Text} ({firing.Detail})");
        Take($"trigger {Triggers.Fired}");
        _reportNow().Write(_out);
        if (Triggers.Fired >= _options.TriggerCount)
        {
            EndedByTrigger = true;
            _stopRun();
        }
    }

    /// <summary>After the drain: the end-of-run capture (unless a trigger ended the run), then every capture is
    /// finished; keys never defined by the end stay without frames and are counted.</summary>
    public void Finish(string reason)
    {
        if (!EndedByTrigger) Take(reason);
        while (_open.Count > 0) Close(_open.Count - 1);
    }

    /// <summary>`ring 256 MB = last 13.8 min at 310 KB/s | trigger …` for the status line.</summary>
    public string Status(double bytesPerSecond)
    {
        string ring = $" | ring {SizeText.Format(Ring.Capacity)} ≈ {BudgetText.Lasts(Ring.Capacity, bytesPerSecond)} at {BudgetText.Rate(bytesPerSecond)}";
        return Triggers is null ? ring : $"{ring} | {Triggers.Status}";
    }

    private void Take(string label)
    {
        var output = CaptureOutput.Open(_written.Count + _open.Count + 1, label, _options, _info, Ring.WindowStart, _stacks,
            () => new TrackerLiveHandles(_tracker, _filter.IsActive ? _filter.IsTarget : null).LiveHandles().ToList(), _filter);
        output.Capture = RingCapture.Take(Ring, Context, output);
        RingCapture c = output.Capture;
        _out.WriteLine($"ring capture ({label}): {c.Records} records, {_tracker.Seconds(c.WindowStart):0.###} s .. " +
                       $"{_tracker.Seconds(_last):0.###} s{(Ring.Evicted == 0 ? " (the whole run)" : "")} → " +
                       string.Join(", ", new[] { output.EtlPath, output.ParquetDirectory }.Where(p => p is not null)) +
                       (c.Complete ? "" : $" (finished once {c.UndefinedKeys} cached stack keys are defined)"));
        _open.Add(output);
        if (c.Complete) Close(_open.Count - 1);
    }

    private void Close(int index)
    {
        CaptureOutput output = _open[index];
        _open.RemoveAt(index);
        if (!output.Capture!.Complete)
            _out.WriteLine($"ring capture ({output.Label}): {output.Capture.UndefinedKeys} cached stack keys were never defined; their stacks are missing");
        output.Close(_last);
        _written.Add(output);
    }
}
