using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;
using HandleEtw.Etl.Ring;
using HandleEtw.Etl.Writing;
using HandleEtw.Parquet;

namespace HandleEtw.Windows.Recording;

/// <summary>What one ring capture wrote: its files and its window (raw timestamps).</summary>
public sealed record CaptureSummary(string Label, string? EtlPath, string? ParquetDirectory, long WindowStart, long WindowEnd,
    long Records, int UndefinedKeys);

/// <summary>
/// The files of one ring capture: the window as a standalone .etl (`--etl NAME.etl` gives NAME_capture1.etl, …)
/// and/or Parquet tables (`-o DIR` gives DIR/capture1, …), whose `live_handles` is the live table at the trigger, so
/// handles opened before the window keep their create stacks: their frames are copied from the run's stack table
/// into the capture's own when it is finished (cached keys defined after the trigger are known by then).
/// </summary>
internal sealed class CaptureOutput : IRecordSink
{
    private readonly EtlFileWriter? _etl;
    private readonly TraceDecoder? _decoder;
    private readonly ParquetTraceWriter? _parquet;

    private CaptureOutput(string label, EtlFileWriter? etl, string? etlPath, TraceDecoder? decoder, ParquetTraceWriter? parquet)
    {
        Label = label;
        _etl = etl;
        EtlPath = etlPath;
        _decoder = decoder;
        _parquet = parquet;
    }

    public string Label { get; }
    public string? EtlPath { get; }
    public string? ParquetDirectory => _parquet?.Directory;
    public RingCapture? Capture { get; set; }

    public CaptureSummary Summary => new(Label, EtlPath, ParquetDirectory, Capture!.WindowStart, Capture.WindowEnd,
        Capture.Records, Capture.UndefinedKeys);

    /// <param name="liveAtTrigger">The live table now, kept to the target processes (only read with Parquet).</param>
    public static CaptureOutput Open(int number, string label, RecordOptions options, TraceInfo run, long windowStart,
        StackTable stacks, Func<IReadOnlyList<LiveHandleRow>> liveAtTrigger, TargetFilter filter)
    {
        string? etlPath = options.EtlPath is { } etl
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(etl)) ?? ".", $"{Path.GetFileNameWithoutExtension(etl)}_capture{number}.etl")
            : null;
        EtlFileWriter? writer = etlPath is null ? null : EtlFileWriter.Create(etlPath, run, windowStart);
        if (options.OutputPath is null) return new CaptureOutput(label, writer, etlPath, null, null);
        TraceInfo info = run.StartingAt(windowStart, $"{run.Source} ({label})");
        var own = new StackTable();
        var parquet = new ParquetTraceWriter(Path.Combine(options.OutputPath, $"capture{number}"), info, own,
            liveHandles: new FrozenLiveHandles(liveAtTrigger(), stacks, own));
        var decoder = new TraceDecoder(info, own, filter.IsActive ? new FilteringConsumer(filter, parquet) : parquet);
        return new CaptureOutput(label, writer, etlPath, decoder, parquet);
    }

    public void OnRecord(in EventRecord record)
    {
        _etl?.OnRecord(record);
        _decoder?.OnRecord(record);
    }

    /// <summary>Finishes the files; <paramref name="end"/> is the .etl's end time.</summary>
    public void Close(long end)
    {
        _etl?.Close(end);
        _decoder?.Finish();
        _parquet?.Complete();
        _parquet?.Dispose();
    }

    /// <summary>The rows taken at the trigger, their stack ids moved from the run's table to the capture's.</summary>
    private sealed class FrozenLiveHandles(IReadOnlyList<LiveHandleRow> rows, StackTable run, StackTable capture) : ILiveHandleSource
    {
        public IEnumerable<LiveHandleRow> LiveHandles()
        {
            var moved = new Dictionary<int, int>();
            foreach (LiveHandleRow row in rows)
            {
                if (row.StackId < 0) { yield return row; continue; }
                int id = run.Canonical(row.StackId);
                if (!moved.TryGetValue(id, out int mine))
                    moved[id] = mine = run.IsResolved(id) ? capture.Intern(run.GetFrames(id)) : -1;
                yield return row with { StackId = mine };
            }
        }
    }
}
