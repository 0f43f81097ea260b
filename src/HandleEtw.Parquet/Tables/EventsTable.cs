using HandleEtw.Core.Events;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>
/// `events`: one row per handle operation, streamed out one row group at a time. Rows fill one column set while
/// the previous one is encoded and compressed on a second thread (bounded double buffering: at most one row group
/// in flight), so encoding overlaps decoding.
/// </summary>
internal sealed class EventsTable : IDisposable
{
    public static readonly DataField TimeNs = new DataField<long>("time_ns");
    public static readonly DataField Op = new DataField<byte>("op");
    public static readonly DataField Pid = new DataField<int>("pid");
    public static readonly DataField ProcessKey = new DataField<ulong>("process_key");
    public static readonly DataField Tid = new DataField<int>("tid");
    public static readonly DataField Cpu = new DataField<ushort>("cpu");
    public static readonly DataField Handle = new DataField<uint>("handle");
    public static readonly DataField Object = new DataField<ulong>("object");
    public static readonly DataField Type = new DataField<ushort>("type");
    public static readonly DataField Name = new DataField<string>("name", nullable: true);
    public static readonly DataField StackId = new DataField<int?>("stack_id");
    public static readonly DataField SourcePid = new DataField<int?>("source_pid");
    public static readonly DataField SourceHandle = new DataField<uint?>("source_handle");
    public static readonly DataField TargetPid = new DataField<int?>("target_pid");
    public static readonly DataField TargetHandle = new DataField<uint?>("target_handle");
    public static readonly DataField HandleKind = new DataField<string>("handle_kind", nullable: false);
    public static readonly DataField SessionId = new DataField<int?>("session_id");

    public static readonly ParquetSchema Schema = new(TimeNs, Op, Pid, ProcessKey, Tid, Cpu, Handle, Object,
        Type, Name, StackId, SourcePid, SourceHandle, TargetPid, TargetHandle, HandleKind, SessionId);

    public static readonly IReadOnlyDictionary<string, EncodingHint> Hints = new Dictionary<string, EncodingHint>
    {
        ["time_ns"] = EncodingHint.DeltaBinaryPacked,
        ["pid"] = EncodingHint.DeltaBinaryPacked,
        ["tid"] = EncodingHint.DeltaBinaryPacked,
        ["type"] = EncodingHint.DeltaBinaryPacked,
        ["stack_id"] = EncodingHint.DeltaBinaryPacked,
        ["cpu"] = EncodingHint.DeltaBinaryPacked,
        ["name"] = EncodingHint.Dictionary,
        ["handle_kind"] = EncodingHint.Dictionary,
    };

    private readonly ParquetTableFile _file;
    private readonly TraceClock _clock;
    private readonly bool _background;
    private EventColumns _filling;
    private EventColumns? _spare;
    private Task? _inFlight;
    private long _rowsHandedOff;

    public EventsTable(string path, ParquetWriteOptions options, TraceClock clock)
    {
        _clock = clock;
        _background = options.BackgroundWrite;
        _filling = new EventColumns(options.RowGroupSize);
        _file = ParquetTableFile.Create(path, Schema, options.ToParquetOptions(Hints));
    }

    public long RowsWritten => _rowsHandedOff + _filling.Rows;

    /// <summary>Time of the last row added (raw clock), for the cancellation summary.</summary>
    public long LastTimestamp { get; private set; }

    public void Add(in HandleEvent e, ulong processKey)
    {
        EventColumns c = _filling;
        long timeNs = _clock.ToNanoseconds(e.Timestamp);
        c.Set(c.Rows, e, timeNs, processKey);
        LastTimestamp = e.Timestamp;
        if (++c.Rows == c.Capacity) Flush();
    }

    /// <summary>A GDI/USER row; <paramref name="processKey"/> is the owner's.</summary>
    public void Add(in GuiHandleEvent e, ulong processKey)
    {
        EventColumns c = _filling;
        c.Set(c.Rows, e, _clock.ToNanoseconds(e.Timestamp), processKey);
        LastTimestamp = e.Timestamp;
        if (++c.Rows == c.Capacity) Flush();
    }

    /// <summary>Hands the filled rows to the writer thread (after the previous group is done) and keeps filling.</summary>
    public void Flush()
    {
        EventColumns full = _filling;
        if (full.Rows == 0) return;
        WaitInFlight();
        _rowsHandedOff += full.Rows;
        _filling = _spare ?? new EventColumns(full.Capacity);
        _spare = null;
        if (_background) _inFlight = Task.Run(() => WriteAndRecycle(full));
        else WriteAndRecycle(full);
    }

    private void WriteAndRecycle(EventColumns set)
    {
        _file.WriteRowGroup(set.Rows, set.Columns);
        set.Rows = 0;
        _spare = set;
    }

    /// <summary>Waits for the row group being written; its failure (disk full...) surfaces here.</summary>
    private void WaitInFlight()
    {
        Task? pending = _inFlight;
        _inFlight = null;
        pending?.GetAwaiter().GetResult();
    }

    public void Close()
    {
        Flush();
        WaitInFlight();
        _file.Close();
    }

    public void Dispose()
    {
        try { WaitInFlight(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the first error is the one reported */ }
        _file.Dispose();
    }

    /// <summary>One row group's column buffers.</summary>
    private sealed class EventColumns
    {
        private readonly RequiredColumn<long> _timeNs;
        private readonly RequiredColumn<byte> _op;
        private readonly RequiredColumn<int> _pid, _tid;
        private readonly RequiredColumn<ulong> _processKey, _object;
        private readonly RequiredColumn<ushort> _cpu, _type;
        private readonly RequiredColumn<uint> _handle;
        private readonly StringColumn _name, _kind;
        private readonly NullableColumn<int> _stackId, _sourcePid, _targetPid, _session;
        private readonly NullableColumn<uint> _sourceHandle, _targetHandle;

        public EventColumns(int capacity)
        {
            Capacity = capacity;
            int n = capacity;
            // Delta-encoded stack ids do not shrink under zstd (1.66 bytes per event either way on a 10 M-event
            // trace): that chunk is stored uncompressed.
            Columns =
            [
                _timeNs = new(TimeNs, n), _op = new(Op, n), _pid = new(Pid, n), _processKey = new(ProcessKey, n),
                _tid = new(Tid, n), _cpu = new(Cpu, n), _handle = new(Handle, n), _object = new(Object, n),
                _type = new(Type, n), _name = new(Name, n), _stackId = new(StackId, n, compress: false), _sourcePid = new(SourcePid, n),
                _sourceHandle = new(SourceHandle, n), _targetPid = new(TargetPid, n), _targetHandle = new(TargetHandle, n),
                _kind = new(HandleKind, n), _session = new(SessionId, n),
            ];
        }

        public int Capacity { get; }
        public int Rows;
        public IColumnBuffer[] Columns { get; }

        public void Set(int r, in HandleEvent e, long timeNs, ulong processKey)
        {
            _timeNs.Values[r] = timeNs;
            _op.Values[r] = EventOps.Code(e.Op);
            _pid.Values[r] = e.ProcessId;
            _processKey.Values[r] = processKey;
            _tid.Values[r] = e.ThreadId;
            _cpu.Values[r] = e.Cpu;
            _handle.Values[r] = e.Handle;
            _object.Values[r] = e.Object;
            _type.Values[r] = e.ObjectType;
            _name.Values[r] = e.Name;
            _kind.Values[r] = KernelKind;
            _session.SetNull(r);
            if (e.StackId >= 0) _stackId.Set(r, e.StackId); else _stackId.SetNull(r);
            if (e.Op == HandleOp.Duplicate)
            {
                _sourcePid.Set(r, e.SourceProcessId);
                _sourceHandle.Set(r, e.Handle);
                _targetPid.Set(r, e.TargetProcessId);
                _targetHandle.Set(r, e.TargetHandle);
            }
            else
            {
                _sourcePid.SetNull(r);
                _sourceHandle.SetNull(r);
                _targetPid.SetNull(r);
                _targetHandle.SetNull(r);
            }
        }

        private static readonly string KernelKind = HandleKinds.Name(Core.Events.HandleKind.Kernel);

        /// <summary>GDI/USER: pid is the owner, source_pid the process that logged it (whose stack it is), target_handle
        /// the new value of a transform, session_id the session the value belongs to.</summary>
        public void Set(int r, in GuiHandleEvent e, long timeNs, ulong processKey)
        {
            _timeNs.Values[r] = timeNs;
            _op.Values[r] = EventOps.Code(e.Op);
            _pid.Values[r] = e.OwnerProcessId > 0 ? e.OwnerProcessId : e.ProcessId;
            _processKey.Values[r] = processKey;
            _tid.Values[r] = e.ThreadId;
            _cpu.Values[r] = e.Cpu;
            _handle.Values[r] = (uint)e.Handle;
            _object.Values[r] = e.Handle;
            _type.Values[r] = Core.Tracking.HandleTracker.GroupType(e.Type);
            _name.Values[r] = null;
            _kind.Values[r] = HandleKinds.Name(e.Kind);
            _session.Set(r, e.SessionId);
            if (e.StackId >= 0) _stackId.Set(r, e.StackId); else _stackId.SetNull(r);
            _sourcePid.Set(r, e.ProcessId);
            _sourceHandle.SetNull(r);
            _targetPid.SetNull(r);
            if (e.Op == GuiHandleOp.Transform) _targetHandle.Set(r, (uint)e.NewHandle); else _targetHandle.SetNull(r);
        }
    }
}
