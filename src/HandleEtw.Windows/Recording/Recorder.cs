using System.Diagnostics;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Windows.Recording;

/// <summary>Decoder + stack join as the recorder sees it: records in, <see cref="Finish"/> at the end.</summary>
public interface IRecordDecoder : IRecordSink
{
    void Finish();
}

/// <summary>What a run produced, for the caller's exit code and for tests.</summary>
public sealed record RecordingResult(
    string StopReason, bool TargetExited, long Records, int Snapshots, long LostEvents,
    IReadOnlyList<LeakGroup> Leaks, RundownDifferences Rundown, StackTable Stacks);

/// <summary>
/// Platform-neutral orchestration of `handleetw record`: start the source, inject the inventory, run the ring drain
/// into decoder → consumers, status line, snapshots, stop on Ctrl+C / --duration / target exit, end-of-run output.
/// The live session and a replay drive it the same way.
/// </summary>
public sealed class Recorder(RecordOptions options, RecordingIo io)
{
    /// <summary>Default decoder: the shared kernel decoder and stack join.</summary>
    public static IRecordDecoder SharedDecoder(TraceInfo info, StackTable stacks, TraceConsumer consumer) =>
        new TraceDecoderAdapter(new TraceDecoder(info, stacks, consumer));

    public RecordingResult Run(RingFedSource source, IInventoryProvider inventory, TargetFilter filter,
        TraceConsumer? output, CancellationToken cancel,
        Func<TraceInfo, StackTable, TraceConsumer, IRecordDecoder>? decoderFactory = null)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        string? reason = null;
        bool targetExited = false;
        filter.AllTargetsExited += why => { reason ??= why; targetExited = true; stop.Cancel(); };

        var table = new OpenHandleTable(filter.IsTarget);
        var types = new TypeNames();
        var consumers = new List<TraceConsumer> { filter, types, table };
        if (output is not null) consumers.Add(filter.IsActive ? new FilteringConsumer(filter, output) : output);
        var all = new CompositeConsumer([.. consumers]);
        var stacks = new StackTable();

        source.Start();
        if (options.Verbose) io.Error.WriteLine($"handleetw record: {source.Description}");
        HandleInventory inv = inventory.Take();
        filter.MarkInitial();
        EmitInventory(inv, all);
        long firstSnapshot = inv.TimestampBefore;
        all.OnSnapshot(firstSnapshot, "start");

        IRecordDecoder decoder = (decoderFactory ?? SharedDecoder)(source.Info, stacks, all);
        var sink = new RecordingSink(decoder, all, source);
        if (options.Duration is { } duration) stop.CancelAfter(duration);
        Timer ticker = StartTicker(source, sink, table, stop.Token);
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

        reason ??= source.EndReason ?? (cancel.IsCancellationRequested ? "stopped (Ctrl+C)"
            : options.Duration is not null && stop.IsCancellationRequested ? $"duration {options.Duration} reached" : "source ended");
        var leaks = EndReport.Leaks(table, filter, types, firstSnapshot);
        var rundown = RundownDifferences.Compare(table.Open, table.RundownEnd);
        WriteSummary(reason, sink, table, leaks, rundown, stacks, inv);
        return new RecordingResult(reason, targetExited, sink.Records, sink.Snapshots + 1, sink.LostEvents, leaks, rundown, stacks);
    }

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

    /// <summary>Once a second: status line, `s` key, --snapshot-every; runs until the drain ends.</summary>
    private Timer StartTicker(RingFedSource source, RecordingSink sink, OpenHandleTable table, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        long lastRecords = 0;
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
            if (io.ErrorIsTerminal)
                io.Error.Write($"\r{records - lastRecords,8} ev/s | live handles {table.TargetLive,8} | lost {sink.LostEvents,6} | snapshots {sink.Snapshots + 1} | s = snapshot, Ctrl+C = stop ");
            lastRecords = records;
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private void WriteSummary(string reason, RecordingSink sink, OpenHandleTable table, List<LeakGroup> leaks,
        RundownDifferences rundown, StackTable stacks, HandleInventory inv)
    {
        if (io.ErrorIsTerminal) io.Error.WriteLine();
        TextWriter w = io.Out;
        w.WriteLine($"{reason}: {sink.Records} records, {sink.Snapshots + 1} snapshots, {sink.LostEvents} events lost");
        w.WriteLine($"inventory at start: {inv.Handles.Count} handles, {inv.ObjectTypes.Count} object types" +
                    (inv.Handles.Count > 0 && !inv.HasObjectAddresses ? " (no object addresses: joined by process and handle only)" : ""));
        w.WriteLine($"closes of handles seen nowhere: {table.UnknownCloses}; creates over a still-open value: {table.MissedCloses}");
        w.WriteLine(rundown.Summary());
        EndReport.Write(w, leaks, stacks, options.TopLeaks);
    }

    private sealed class TraceDecoderAdapter(TraceDecoder decoder) : IRecordDecoder
    {
        public void OnRecord(in EventRecord record) => decoder.OnRecord(record);
        public void Finish() => decoder.Finish();
    }
}
