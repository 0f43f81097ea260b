using HandleEtw.Core.Events;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>`events`: one row per handle operation, streamed out one row group at a time.</summary>
internal sealed class EventsTable : IDisposable
{
    public static readonly DataField TimeNs = new DataField<long>("time_ns");
    public static readonly DataField TimeUtc = new DateTimeDataField("time_utc", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Micros, isNullable: false);
    public static readonly DataField Kind = new DataField<string>("kind", nullable: false);
    public static readonly DataField Pid = new DataField<int>("pid");
    public static readonly DataField ProcessKey = new DataField<ulong>("process_key");
    public static readonly DataField Tid = new DataField<int>("tid");
    public static readonly DataField Cpu = new DataField<ushort>("cpu");
    public static readonly DataField Handle = new DataField<uint>("handle");
    public static readonly DataField Object = new DataField<ulong>("object");
    public static readonly DataField Type = new DataField<ushort>("type");
    public static readonly DataField TypeName = new DataField<string>("type_name", nullable: true);
    public static readonly DataField Name = new DataField<string>("name", nullable: true);
    public static readonly DataField StackId = new DataField<int?>("stack_id");
    public static readonly DataField SourcePid = new DataField<int?>("source_pid");
    public static readonly DataField SourceHandle = new DataField<uint?>("source_handle");
    public static readonly DataField TargetPid = new DataField<int?>("target_pid");
    public static readonly DataField TargetHandle = new DataField<uint?>("target_handle");

    public static readonly ParquetSchema Schema = new(TimeNs, TimeUtc, Kind, Pid, ProcessKey, Tid, Cpu, Handle, Object,
        Type, TypeName, Name, StackId, SourcePid, SourceHandle, TargetPid, TargetHandle);

    public static readonly IReadOnlyDictionary<string, EncodingHint> Hints = new Dictionary<string, EncodingHint>
    {
        ["time_ns"] = EncodingHint.DeltaBinaryPacked,
        ["kind"] = EncodingHint.Dictionary,
        ["type_name"] = EncodingHint.Dictionary,
        ["name"] = EncodingHint.Dictionary,
    };

    private readonly ParquetTableFile _file;
    private readonly TraceClock _clock;
    private readonly ObjectTypeNames _typeNames;
    private readonly int _capacity;
    private readonly RequiredColumn<long> _timeNs;
    private readonly RequiredColumn<DateTime> _timeUtc;
    private readonly StringColumn _kind;
    private readonly RequiredColumn<int> _pid;
    private readonly RequiredColumn<ulong> _processKey;
    private readonly RequiredColumn<int> _tid;
    private readonly RequiredColumn<ushort> _cpu;
    private readonly RequiredColumn<uint> _handle;
    private readonly RequiredColumn<ulong> _object;
    private readonly RequiredColumn<ushort> _type;
    private readonly StringColumn _typeName;
    private readonly StringColumn _name;
    private readonly NullableColumn<int> _stackId;
    private readonly NullableColumn<int> _sourcePid;
    private readonly NullableColumn<uint> _sourceHandle;
    private readonly NullableColumn<int> _targetPid;
    private readonly NullableColumn<uint> _targetHandle;
    private readonly IColumnBuffer[] _columns;
    private int _rows;

    public EventsTable(string path, ParquetWriteOptions options, TraceClock clock, ObjectTypeNames typeNames)
    {
        _clock = clock;
        _typeNames = typeNames;
        _capacity = options.RowGroupSize;
        int n = _capacity;
        _columns =
        [
            _timeNs = new(TimeNs, n), _timeUtc = new(TimeUtc, n), _kind = new(Kind, n), _pid = new(Pid, n),
            _processKey = new(ProcessKey, n), _tid = new(Tid, n), _cpu = new(Cpu, n), _handle = new(Handle, n),
            _object = new(Object, n), _type = new(Type, n), _typeName = new(TypeName, n), _name = new(Name, n),
            _stackId = new(StackId, n), _sourcePid = new(SourcePid, n), _sourceHandle = new(SourceHandle, n),
            _targetPid = new(TargetPid, n), _targetHandle = new(TargetHandle, n),
        ];
        _file = ParquetTableFile.Create(path, Schema, options.ToParquetOptions(Hints));
    }

    public long RowsWritten => _file.RowsWritten + _rows;

    /// <summary>Time of the last row added (raw clock), for the cancellation summary.</summary>
    public long LastTimestamp { get; private set; }

    public void Add(in HandleEvent e, ulong processKey)
    {
        int r = _rows;
        _timeNs.Values[r] = _clock.ToNanoseconds(e.Timestamp);
        _kind.Values[r] = HandleKinds.Name(e.Op);
        _pid.Values[r] = e.ProcessId;
        _processKey.Values[r] = processKey;
        _tid.Values[r] = e.ThreadId;
        _cpu.Values[r] = e.Cpu;
        _handle.Values[r] = e.Handle;
        _object.Values[r] = e.Object;
        _type.Values[r] = e.ObjectType;
        _name.Values[r] = e.Name;
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
        LastTimestamp = e.Timestamp;
        if (++_rows == _capacity) Flush();
    }

    public void Flush()
    {
        if (_rows == 0) return;
        // Derived columns are filled at flush time: wall clock from the trace clock, and type names from the
        // type map as known now (the type rundown can arrive after the first events).
        for (int i = 0; i < _rows; i++)
        {
            _timeUtc.Values[i] = _clock.ToUtcFromNanoseconds(_timeNs.Values[i]);
            _typeName.Values[i] = _typeNames.Get(_type.Values[i]);
        }
        _file.WriteRowGroup(_rows, _columns);
        _rows = 0;
    }

    public void Close()
    {
        Flush();
        _file.Close();
    }

    public void Dispose() => _file.Dispose();
}
