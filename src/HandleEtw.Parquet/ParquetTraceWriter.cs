using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Parquet.Tables;

namespace HandleEtw.Parquet;

/// <summary>
/// Writes the decoded event stream as Parquet tables in one directory (see docs/parquet-schema.md). Events stream
/// out a row group at a time; processes and modules are written as they end; stacks, object types, .NET methods, the
/// final live handle table and meta are written by <see cref="Complete"/>. Disposing without <see cref="Complete"/> (cancel,
/// reader error) still closes every file validly and marks meta `partial = true`.
/// </summary>
public sealed class ParquetTraceWriter : TraceConsumer, IDisposable
{
    private readonly string _directory;
    private readonly TraceClock _clock;
    private readonly StackTable _stacks;
    private readonly ParquetWriteOptions _options;
    private readonly ILiveHandleSource? _liveSource;
    private readonly string _host;
    private readonly ObjectTypeNames _typeNames = new();
    private readonly EventsTable _events;
    private readonly ProcessesTable _processes;
    private readonly ModulesTable _modules;
    private readonly LiveHandlesTable _live;
    private readonly StackIdSet _eventStacks = new(), _snapshotStacks = new();
    private readonly ManagedMethodMap _methods = new();
    private long _endTimestamp = long.MinValue;
    private long _streamEventsLost, _streamBuffersLost;
    private bool _finished;

    public ParquetTraceWriter(string directory, TraceInfo info, StackTable stacks, ParquetWriteOptions? options = null,
        ILiveHandleSource? liveHandles = null, string? host = null)
    {
        _directory = directory;
        _clock = new TraceClock(info);
        _stacks = stacks;
        _options = options ?? new ParquetWriteOptions();
        _liveSource = liveHandles;
        _host = ParquetLayout.HostFor(host, info.HostName, info.Source);
        System.IO.Directory.CreateDirectory(directory);
        var opened = new List<IDisposable>();
        try
        {
            opened.Add(_events = new EventsTable(TablePath("events"), _options, _clock));
            opened.Add(_processes = new ProcessesTable(TablePath("processes"), _options, _clock));
            opened.Add(_modules = new ModulesTable(TablePath("modules"), _options, _clock, _processes.KeyOf));
            opened.Add(_live = new LiveHandlesTable(TablePath("live_handles"), _options, _clock, _typeNames, _processes.KeyOf));
        }
        catch
        {
            foreach (IDisposable d in opened) d.Dispose();
            throw;
        }
    }

    public string Directory => _directory;
    public long EventsWritten => _events.RowsWritten;

    /// <summary>Raw timestamp of the last handle event written (for "complete up to" messages).</summary>
    public long LastEventTimestamp => _events.LastTimestamp;
    public DateTime LastEventUtc => _clock.ToUtcFromNanoseconds(_clock.ToNanoseconds(_events.LastTimestamp));

    /// <summary>The meta row written, once finished.</summary>
    public TraceMeta? Meta { get; private set; }

    public override void OnHandle(in HandleEvent e)
    {
        _eventStacks.Add(e.StackId);
        _events.Add(e, _processes.KeyOf(e.ProcessId));
    }

    public override void OnGuiHandle(in GuiHandleEvent e)
    {
        _eventStacks.Add(e.StackId);
        _events.Add(e, _processes.KeyOf(e.OwnerProcessId > 0 ? e.OwnerProcessId : e.ProcessId));
    }

    public override void OnProcess(in ProcessEvent e)
    {
        _processes.On(e);
        _methods.OnProcess(e);
    }

    public override void OnMethod(in MethodEvent e) => _methods.OnMethod(e);
    public override void OnClrModule(in ClrModuleEvent e) => _methods.OnClrModule(e);
    public override void OnImage(in ImageEvent e) => _modules.On(e);
    public override void OnImageIdentity(in ImageIdentity e) => _modules.On(e);
    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => _typeNames.Set(typeIndex, name);

    public override void OnLoss(in LossEvent e)
    {
        _streamEventsLost += e.Events;
        _streamBuffersLost += e.Buffers;
    }

    public override void OnSnapshot(long timestamp, string label)
    {
        if (_liveSource is null) return;
        _live.Add(label, timestamp, _liveSource.LiveHandles().Select(h =>
        {
            _snapshotStacks.Add(h.StackId);
            return h;
        }));
    }

    public override void OnEnd(long endTimestamp) => _endTimestamp = endTimestamp;

    /// <summary>Writes the end-of-trace tables and closes every file; meta says `partial = false`.</summary>
    public void Complete() => Finish(partial: false);

    /// <summary>Closes every file if <see cref="Complete"/> was not called; meta then says `partial = true`.</summary>
    public void Dispose()
    {
        if (!_finished) Finish(partial: true);
    }

    private void Finish(bool partial)
    {
        if (_finished) return;
        _finished = true;
        bool failed = true;
        try
        {
            _events.Close();
            long end = _endTimestamp != long.MinValue ? _endTimestamp : _events.LastTimestamp;
            if (_liveSource is not null)
                _live.Add(LiveHandlesTable.EndLabel, end, _liveSource.LiveHandles().Select(h => h with { StackId = _stacks.Canonical(h.StackId) }));
            _live.Close();
            CanonicalizeWrittenStacks();
            _processes.Finish();
            _modules.Finish();
            StacksTable.Write(TablePath("stacks"), _stacks, _stacks.Count, _options);
            ObjectTypesTable.Write(TablePath("object_types"), _typeNames, _options);
            MethodsTable.Write(TablePath("methods"), _methods, _clock, _options);
            failed = false;
        }
        finally
        {
            // Whatever happened above, every table file gets its footer and meta says how complete it is.
            _events.Dispose();
            _live.Dispose();
            _processes.Dispose();
            _modules.Dispose();
            Meta = BuildMeta(partial || failed);
            MetaTable.Write(TablePath("meta"), Meta, _options);
        }
    }

    /// <summary>
    /// Events leave the stack join with the id their stack has then; a stack whose frames came later than the join
    /// holds events (a cached key defined long after its references) settles on the id its frames already had, so the
    /// rows written with its provisional id are rewritten with the canonical one (rare; one row group in memory).
    /// </summary>
    private void CanonicalizeWrittenStacks()
    {
        if (_eventStacks.HasAlias(_stacks))
            StackIdRewrite.Apply(TablePath("events"), EventsTable.Schema, _options.ToParquetOptions(EventsTable.Hints), _stacks.Canonical);
        if (_snapshotStacks.HasAlias(_stacks))
            StackIdRewrite.Apply(TablePath("live_handles"), LiveHandlesTable.Schema, _options.ToParquetOptions(LiveHandlesTable.Hints), _stacks.Canonical);
    }

    private TraceMeta BuildMeta(bool partial)
    {
        TraceInfo info = _clock.Info;
        long end = _endTimestamp != long.MinValue ? _endTimestamp : _events.LastTimestamp;
        long durationNs = Math.Max(0, _clock.ToNanoseconds(end));
        DateTime endUtc = info.EndUtc > info.StartUtc && !partial ? info.EndUtc : _clock.ToUtcFromNanoseconds(durationNs);
        long eventsLost = Math.Max(info.EventsLost, _streamEventsLost);
        long buffersLost = Math.Max(info.BuffersLost, _streamBuffersLost);
        return new TraceMeta
        {
            ToolVersion = typeof(ParquetTraceWriter).Assembly.GetName().Version?.ToString(3) ?? "",
            SourceFile = info.SourceFiles.Count > 1 ? string.Join(";", info.SourceFiles) : info.Source,
            Host = _host,
            OsBuild = info.OsBuild,
            PointerSize = info.PointerSize,
            ClockFrequency = info.ClockFrequency,
            TraceStartUtc = info.StartUtc,
            TraceEndUtc = endUtc,
            DurationNs = durationNs,
            Events = _events.RowsWritten,
            Stacks = _stacks.DistinctCount,
            EventsLost = eventsLost,
            BuffersLost = buffersLost,
            DamagedBuffers = info.DamagedBuffers,
            DamagedRecords = info.DamagedRecords,
            Lossy = eventsLost > 0 || buffersLost > 0 || info.DamagedBuffers > 0 || info.DamagedRecords > 0 || info.Gaps.Count > 0,
            Partial = partial,
        };
    }

    private string TablePath(string table) => ParquetLayout.TablePath(_directory, table);
}
