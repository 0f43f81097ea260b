using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>`live_handles`: the open handle table at each snapshot; the final table is labelled `end`.</summary>
internal sealed class LiveHandlesTable : TableBuffer
{
    public const string EndLabel = "end";

    public static readonly DataField Snapshot = new DataField<string>("snapshot", nullable: false);
    public static readonly DataField SnapshotNs = new DataField<long>("snapshot_time_ns");
    public static readonly DataField Pid = new DataField<int>("pid");
    public static readonly DataField ProcessKey = new DataField<ulong>("process_key");
    public static readonly DataField Handle = new DataField<uint>("handle");
    public static readonly DataField Object = new DataField<ulong>("object");
    public static readonly DataField Type = new DataField<ushort>("type");
    public static readonly DataField TypeName = new DataField<string>("type_name", nullable: true);
    public static readonly DataField Name = new DataField<string>("name", nullable: true);
    public static readonly DataField CreateNs = new DataField<long?>("create_time_ns");
    public static readonly DataField Tid = new DataField<int>("tid");
    public static readonly DataField StackId = new DataField<int?>("stack_id");
    public static readonly DataField Origin = new DataField<string>("origin", nullable: false);
    public static readonly DataField HandleKind = new DataField<string>("handle_kind", nullable: false);
    public static readonly ParquetSchema Schema = new(Snapshot, SnapshotNs, Pid, ProcessKey, Handle, Object, Type,
        TypeName, Name, CreateNs, Tid, StackId, Origin, HandleKind);

    internal static readonly IReadOnlyDictionary<string, EncodingHint> Hints = new Dictionary<string, EncodingHint>
    {
        ["snapshot"] = EncodingHint.Dictionary,
        ["type_name"] = EncodingHint.Dictionary,
        ["name"] = EncodingHint.Dictionary,
        ["origin"] = EncodingHint.Dictionary,
        ["handle_kind"] = EncodingHint.Dictionary,
    };

    private static readonly string[] OriginNames = ["created", "duplicated", "rundown", "inherited"];

    private readonly TraceClock _clock;
    private readonly ObjectTypeNames _typeNames;
    private readonly StringColumn _snapshot, _typeName, _name, _origin, _kind;
    private readonly RequiredColumn<long> _snapshotNs;
    private readonly RequiredColumn<int> _pid, _tid;
    private readonly RequiredColumn<ulong> _key, _object;
    private readonly RequiredColumn<uint> _handle;
    private readonly RequiredColumn<ushort> _type;
    private readonly NullableColumn<long> _create;
    private readonly NullableColumn<int> _stack;

    private readonly Func<int, ulong> _keyOf;

    public LiveHandlesTable(string path, ParquetWriteOptions options, TraceClock clock, ObjectTypeNames typeNames,
        Func<int, ulong> keyOf)
        : base(path, Schema, options, Hints, 256 * 1024)
    {
        _clock = clock;
        _keyOf = keyOf;
        _typeNames = typeNames;
        int n = Capacity;
        SetColumns(_snapshot = new(Snapshot, n), _snapshotNs = new(SnapshotNs, n), _pid = new(Pid, n),
            _key = new(ProcessKey, n), _handle = new(Handle, n), _object = new(Object, n), _type = new(Type, n),
            _typeName = new(TypeName, n), _name = new(Name, n), _create = new(CreateNs, n), _tid = new(Tid, n),
            _stack = new(StackId, n), _origin = new(Origin, n), _kind = new(HandleKind, n));
    }

    public void Add(string label, long timestamp, IEnumerable<LiveHandleRow> rows)
    {
        long at = _clock.ToNanoseconds(timestamp);
        foreach (LiveHandleRow h in rows)
        {
            int r = Row;
            _snapshot.Values[r] = label;
            _snapshotNs.Values[r] = at;
            _pid.Values[r] = h.ProcessId;
            _key.Values[r] = h.ProcessKey != 0 ? h.ProcessKey : _keyOf(h.ProcessId);
            _handle.Values[r] = h.Handle;
            _object.Values[r] = h.Object;
            _type.Values[r] = h.ObjectType;
            _typeName.Values[r] = h.Kind == Core.Events.HandleKind.Kernel ? _typeNames.Get(h.ObjectType)
                : Core.Tracking.Win32kTypes.Name(h.Kind, h.ObjectType);
            _kind.Values[r] = Core.Events.HandleKinds.Name(h.Kind);
            _name.Values[r] = h.Name;
            _create.Set(r, h.CreateTimestamp is { } t ? _clock.ToNanoseconds(t) : null);
            _tid.Values[r] = h.ThreadId;
            if (h.StackId >= 0) _stack.Set(r, h.StackId); else _stack.SetNull(r);
            _origin.Values[r] = (int)h.Origin < OriginNames.Length ? OriginNames[(int)h.Origin] : "unknown";
            Commit();
        }
    }
}
