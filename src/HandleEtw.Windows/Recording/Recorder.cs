using System.Diagnostics;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Json;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Core.Text;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.Decoding;
using HandleEtw.Etl.Writing;
using HandleEtw.Parquet;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Windows.Recording;

/// <summary>What a run produced, for the caller's exit code and for tests.</summary>
public sealed record RecordingResult(
    string StopReason, bool TargetExited, long Records, int Snapshots, long LostEvents,
    EndReport Report, RundownDifferences Rundown, StackTable Stacks, DecoderCounters Decoder, string? ParquetDirectory)
{
    /// <summary>The session delivered no handle event at all: the run stopped early and failed.</summary>
    public bool NoHandleEvents { get; init; }

    /// <summary>The .etl files --roll wrote, in time order.</summary>
    public IReadOnlyList<string> RolledFiles { get; init; } = [];

    /// <summary>--ring: what each capture wrote, in order.</summary>
    public IReadOnlyList<CaptureSummary> Captures { get; init; } = [];

    /// <summary>--trigger: every firing, in order.</summary>
    public IReadOnlyList<HandleEtw.Core.Triggers.TriggerFiring> Firings { get; init; } = [];
}

/// <summary>
/// Platform-neutral orchestration of `handleetw record`: start the source, inject the inventory, run the ring drain
/// through the shared decoder into the handle tracker (and the Parquet writer with -o), status line, snapshots, stop
/// on Ctrl+C / --duration / target exit, end-of-run diff and leak reports. The live session and a replay drive it
/// the same way.
/// </summary>
public sealed class Recorder(RecordOptions options, RecordingIo io)
{
    /// <summary>The rolled capture being written (--roll), for the status line.</summary>
    private RollingEtlWriter? _rolled;

    /// <summary>The ring (--ring), for the status line.</summary>
    private RingRecording? _ring;

    /// <param name="output">An extra consumer of the (filtered) event stream, e.g. for tests.</param>
    public RecordingResult Run(RingFedSource source, IInventoryProvider inventory, TargetFilter filter,
        TraceConsumer? output, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        string? reason = null;
        bool targetExited = false, noHandleEvents = false;
        filter.AllTargetsExited += why => { reason ??= why; targetExited = true; stop.Cancel(); };
        var watchdog = new HandleEventWatchdog(options.NoHandleEventsLimit / 3, options.NoHandleEventsLimit);
        void NoEvents(string why)
        {
            Interlocked.CompareExchange(ref reason, why, null);
            noHandleEvents = true;
            stop.Cancel();
        }

        source.Start();
        if (options.Verbose) io.Error.WriteLine($"handleetw record: {source.Description}");
        var stacks = new StackTable();
        var tracker = new HandleTracker(source.Info);
        var modules = new ModuleMap(source.Info.PointerSize);
        var rundownEnd = new RundownEndRows();
        using ParquetTraceWriter? parquet = options.Ring is null ? OpenParquet(source, stacks, tracker, filter) : null;
        using RollingEtlWriter? rolled = options.Roll is { } roll && options.EtlPath is { } etl ? new RollingEtlWriter(etl, source.Info, roll) : null;
        _rolled = rolled;

        HandleInventory inv = inventory.Take();
        filter.MarkInitial();
        long firstSnapshot = inv.TimestampBefore;
        var diff = new DiffRecorder(tracker, firstSnapshot, to: null);
        var consumers = new List<TraceConsumer> { filter, diff, modules, rundownEnd, watchdog };
        if (source.Observer is { } observer) consumers.Add(observer);
        if (parquet is not null) consumers.Add(Filtered(filter, parquet));
        if (output is not null) consumers.Add(Filtered(filter, output));
        TraceConsumer all = new CompositeConsumer([.. consumers]);
        if (options.Types is { } types) all = new TypeFilteringConsumer(types, all);
        EmitInventory(inv, all);
        all.OnSnapshot(firstSnapshot, "start");

        var decoder = new TraceDecoder(source.Info, stacks, all);
        RingRecording? ring = _ring = options.Ring is null ? null : new RingRecording(options, source.Info, stacks, tracker, filter,
            () => EndReport.Build(tracker, new DiffRecorder(tracker, firstSnapshot, to: null), new StackContext(stacks, modules), filter, options.TopLeaks),
            options.Json ? io.Error : io.Out, () => { Interlocked.CompareExchange(ref reason, "trigger count reached", null); stop.Cancel(); },
            keepProcess: options.Preset.FilterInProcess && filter.IsActive ? filter.IsTarget : null);
        foreach (var (index, name) in inv.ObjectTypes) ring?.Context.AddObjectType(index, name, source.Info.PointerSize);
        IRecordSink records = ring is null ? decoder : new RecordFanOut(decoder, ring);
        var sink = new RecordingSink(rolled is null ? records : new RecordFanOut(rolled, records), all, source);
        if (options.Duration is { } duration) stop.CancelAfter(duration);
        Timer ticker = StartTicker(source, sink, tracker, watchdog, NoEvents, stop.Token);
        try
        {
            source.Read(sink, stop.Token);
        }
        finally
        {
            source.RequestStop();
            ticker.Dispose();
        }
        sink.EmitLoss(sink.LastTimestamp);
        decoder.Finish();
        parquet?.Complete();
        rolled?.Dispose();
        ring?.Finish(source.EndReason ?? (cancel.IsCancellationRequested ? "Ctrl+C" : options.Duration is not null && stop.IsCancellationRequested ? "duration" : "end"));

        reason ??= source.EndReason ?? (cancel.IsCancellationRequested ? "stopped (Ctrl+C)"
            : options.Duration is not null && stop.IsCancellationRequested ? $"duration {options.Duration} reached" : "source ended");
        var report = EndReport.Build(tracker, diff, new StackContext(stacks, modules), filter, options.TopLeaks);
        var rundown = RundownDifferences.Compare(RundownDifferences.TableOf(tracker), rundownEnd.Rows);
        if (io.ErrorIsTerminal) io.Error.WriteLine();
        if (options.Json)
            io.Out.WriteLine(JsonContract.Write(SummaryJson(reason, targetExited, sink, tracker, report, rundown, inv, parquet)
                with { Clr = source.Clr?.ToJson() }));
        else WriteSummary(reason, sink, tracker, report, rundown, inv, parquet, source.Clr);
        if (rolled is not null && !options.Json)
            io.Out.WriteLine($"wrote {rolled.Files.Count} .etl files ({options.Roll}): {rolled.Files[0]} … (read them together: handleetw leaks {Path.GetDirectoryName(rolled.Files[0])})");
        return new RecordingResult(reason, targetExited, sink.Records, sink.Snapshots + 1, sink.LostEvents, report, rundown,
            stacks, decoder.Counters, parquet?.Directory)
        {
            NoHandleEvents = noHandleEvents, RolledFiles = rolled?.Files ?? [],
            Captures = ring?.Captures.Select(c => c.Summary).ToList() ?? [],
            Firings = ring?.Firings ?? [],
        };
    }

    private ParquetTraceWriter? OpenParquet(RingFedSource source, StackTable stacks, HandleTracker tracker, TargetFilter filter) =>
        options.OutputPath is null ? null
            : new ParquetTraceWriter(options.OutputPath, source.Info, stacks,
                liveHandles: new TrackerLiveHandles(tracker, filter.IsActive ? filter.IsTarget : null));

    private static TraceConsumer Filtered(TargetFilter filter, TraceConsumer inner) =>
        filter.IsActive ? new FilteringConsumer(filter, inner) : inner;

    /// <summary>Inventory rows become RundownStart events, its type table OnObjectType calls, at the stream's start.</summary>
    public static void EmitInventory(HandleInventory inv, TraceConsumer consumer)
    {
        foreach (var (index, name) in inv.ObjectTypes.OrderBy(t => t.Key))
            consumer.OnObjectType(inv.TimestampBefore, index, name);
        foreach (InventoryHandle h in inv.Handles)
            consumer.OnHandle(new HandleEvent
            {
                Op = HandleOp.RundownStart,
                Timestamp = inv.TimestampBefore,
                ProcessId = h.ProcessId,
                ThreadId = -1,
                Object = h.Object,
                Handle = h.Handle,
                ObjectType = h.ObjectType,
                StackId = -1,
            });
    }

    /// <summary>Once a second: status line, `s` key, --snapshot-every, the no-handle-event check; runs until the drain ends.</summary>
    private Timer StartTicker(RingFedSource source, RecordingSink sink, HandleTracker tracker, HandleEventWatchdog watchdog,
        Action<string> noEvents, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        long lastRecords = 0, lastBytes = 0;
        TimeSpan nextSnapshot = options.SnapshotEvery ?? TimeSpan.MaxValue;
        return new Timer(_ =>
        {
            if (stop.IsCancellationRequested) return;
            while (io.Keys?.TryReadKey() is { } key)
                if (key is 's' or 'S') { source.Flush(); sink.RequestSnapshot(); }
            if (clock.Elapsed >= nextSnapshot)
            {
                sink.RequestSnapshot();
                nextSnapshot += options.SnapshotEvery!.Value;
            }
            long records = sink.Records;
            switch (watchdog.Check(clock.Elapsed))
            {
                case WatchdogVerdict.Warn:
                    io.Error.WriteLine((io.ErrorIsTerminal ? "\r" : "") + watchdog.WarningMessage(records));
                    break;
                case WatchdogVerdict.Stop:
                    noEvents(watchdog.StopMessage(records, source.Description));
                    return;
            }
            // The count is read off the consumer thread: a moment stale at worst, which a status line can afford.
            if (io.ErrorIsTerminal)
                io.Error.Write($"\r{records - lastRecords,8} ev/s | live handles {tracker.LiveHandleCount,8} | lost {sink.LostEvents,6} | snapshots {sink.Snapshots + 1}{RollStatus()}{_ring?.Status(sink.Bytes - lastBytes) ?? DiskStatus(sink.Bytes - lastBytes)} | s = snapshot, Ctrl+C = stop ");
            lastRecords = records;
            lastBytes = sink.Bytes;
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private string RollStatus() => _rolled is { } r ? $" | file {r.Files.Count}" : "";

    /// <summary>`disk 120 GB free ≈ 4.1 d` where --etl or --roll write, at the current rate of raw records.</summary>
    private string DiskStatus(double bytesPerSecond)
    {
        if (options.EtlPath is not { } etl) return "";
        try
        {
            long free = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(etl))!).AvailableFreeSpace;
            return $" | disk {SizeText.Format(free)} free ≈ {BudgetText.Lasts(free, bytesPerSecond)}";
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private void WriteSummary(string reason, RecordingSink sink, HandleTracker tracker, EndReport report,
        RundownDifferences rundown, HandleInventory inv, ParquetTraceWriter? parquet, ClrStatus? clr)
    {
        TextWriter w = io.Out;
        TrackerCounters c = tracker.Counters;
        w.WriteLine($"{reason}: {sink.Records} records, {sink.Snapshots + 1} snapshots, {sink.LostEvents} events lost");
        w.WriteLine($"inventory at start: {inv.Handles.Count} handles, {inv.ObjectTypes.Count} object types" +
                    (inv.Handles.Count > 0 && !inv.HasObjectAddresses ? " (no object addresses: joined by process and handle only)" : ""));
        w.WriteLine($"closes of handles seen nowhere: {c.UnknownClosesGap + c.UnknownClosesPredatingTrace}; " +
                    $"creates over a still-open value: {c.LostCloses}");
        w.WriteLine(rundown.Summary());
        foreach (string line in clr?.SummaryLines() ?? []) w.WriteLine(line);
        if (parquet?.Meta is { } meta) w.WriteLine($"wrote {meta.Events} handle events, {meta.Stacks} stacks to {parquet.Directory}");
        report.Write(w);
    }

    private RecordJson SummaryJson(string reason, bool targetExited, RecordingSink sink, HandleTracker tracker,
        EndReport report, RundownDifferences rundown, HandleInventory inv, ParquetTraceWriter? parquet)
    {
        TrackerCounters c = tracker.Counters;
        TraceInfo info = tracker.Info;
        RingRecording? ring = _ring;
        return new RecordJson(tracker.Lossy, DamageJson.Of(info), reason, targetExited, sink.Records, sink.Snapshots + 1,
            new RecordInventoryJson(inv.Handles.Count, inv.ObjectTypes.Count, inv.HasObjectAddresses),
            new RecordUnmatchedJson(c.UnknownClosesGap + c.UnknownClosesPredatingTrace, c.LostCloses),
            new RecordEndRundownJson(rundown.RundownRows, rundown.Matching, rundown.OnlyInRundown.Count,
                rundown.OnlyInTable.Count, rundown.ObjectMismatch.Count),
            parquet?.Meta is { } meta ? new RecordParquetJson(parquet.Directory, meta.Events, meta.Stacks) : null,
            DiffJson.Of(report.Diff, info), LeaksJson.Of(report.Leaks, info),
            ring?.Captures.Select(c => c.Summary).Select(c => new RecordCaptureJson(c.Label, c.EtlPath, c.ParquetDirectory,
                tracker.Seconds(c.WindowStart), tracker.Seconds(c.WindowEnd), c.Records, c.UndefinedKeys)).ToList() ?? [],
            ring?.Firings.Select(f => new RecordTriggerJson(f.Spec.Text, tracker.Seconds(f.Timestamp), f.Detail)).ToList() ?? []);
    }
}
