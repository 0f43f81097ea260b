using HandleEtw.Core.Stacks;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>
/// `methods`: one row per span of a .NET method's native code (JIT-compiled, or present at a rundown), from the
/// runtime's method events as the <see cref="ManagedMethodMap"/> resolved them: a re-JIT or a reused range is a row of
/// its own with its own times. Written at the end from the map (bounded by <see cref="ManagedMethodMap.MaxRanges"/>).
/// </summary>
internal static class MethodsTable
{
    public static readonly DataField Pid = new DataField<int>("pid");
    public static readonly DataField ProcessKey = new DataField<ulong>("process_key");
    public static readonly DataField Start = new DataField<ulong>("start");
    public static readonly DataField Size = new DataField<uint>("size");
    public static readonly DataField Namespace = new DataField<string>("namespace", nullable: true);
    public static readonly DataField Name = new DataField<string>("name", nullable: true);
    public static readonly DataField Signature = new DataField<string>("signature", nullable: true);
    public static readonly DataField Module = new DataField<string>("module", nullable: true);
    public static readonly DataField ModulePath = new DataField<string>("module_path", nullable: true);
    public static readonly DataField ModuleId = new DataField<ulong>("module_id");
    public static readonly DataField MethodId = new DataField<ulong>("method_id");
    public static readonly DataField ReJitId = new DataField<ulong>("rejit_id");
    public static readonly DataField Flags = new DataField<uint>("flags");
    public static readonly DataField LoadNs = new DataField<long?>("load_time_ns");
    public static readonly DataField UnloadNs = new DataField<long?>("unload_time_ns");
    public static readonly ParquetSchema Schema = new(Pid, ProcessKey, Start, Size, Namespace, Name, Signature, Module,
        ModulePath, ModuleId, MethodId, ReJitId, Flags, LoadNs, UnloadNs);

    private static readonly IReadOnlyDictionary<string, EncodingHint> Hints = new Dictionary<string, EncodingHint>
    {
        ["namespace"] = EncodingHint.Dictionary,
        ["signature"] = EncodingHint.Dictionary,
        ["module"] = EncodingHint.Dictionary,
        ["module_path"] = EncodingHint.Dictionary,
    };

    public static void Write(string path, ManagedMethodMap map, TraceClock clock, ParquetWriteOptions options)
    {
        using var rows = new Rows(path, options, clock);
        foreach (int pid in map.Processes)
            foreach (MethodRange m in map.Methods(pid))
                rows.Add(m, map);
        rows.Close();
    }

    private sealed class Rows : TableBuffer
    {
        private readonly TraceClock _clock;
        private readonly RequiredColumn<int> _pid;
        private readonly RequiredColumn<ulong> _key, _start, _moduleId, _methodId, _rejit;
        private readonly RequiredColumn<uint> _size, _flags;
        private readonly StringColumn _namespace, _name, _signature, _module, _modulePath;
        private readonly NullableColumn<long> _load, _unload;

        public Rows(string path, ParquetWriteOptions options, TraceClock clock) : base(path, Schema, options, Hints, 256 * 1024)
        {
            _clock = clock;
            int n = Capacity;
            SetColumns(_pid = new(Pid, n), _key = new(ProcessKey, n), _start = new(Start, n), _size = new(Size, n),
                _namespace = new(Namespace, n), _name = new(Name, n), _signature = new(Signature, n), _module = new(Module, n),
                _modulePath = new(ModulePath, n), _moduleId = new(ModuleId, n), _methodId = new(MethodId, n),
                _rejit = new(ReJitId, n), _flags = new(Flags, n), _load = new(LoadNs, n), _unload = new(UnloadNs, n));
        }

        public void Add(MethodRange m, ManagedMethodMap map)
        {
            int r = Row;
            string? path = map.ModulePath(m, m.Loaded);
            _pid.Values[r] = m.ProcessId;
            _key.Values[r] = m.ProcessKey;
            _start.Values[r] = m.Start;
            _size.Values[r] = m.Size;
            _namespace.Values[r] = m.Namespace;
            _name.Values[r] = m.Name;
            _signature.Values[r] = m.Signature;
            _module.Values[r] = path is null ? null : map.ModuleName(m, m.Loaded);
            _modulePath.Values[r] = path;
            _moduleId.Values[r] = m.ModuleId;
            _methodId.Values[r] = m.MethodId;
            _rejit.Values[r] = m.ReJitId;
            _flags.Values[r] = m.Flags;
            _load.Set(r, m.Loaded == long.MinValue ? null : _clock.ToNanoseconds(m.Loaded));
            _unload.Set(r, m.Unloaded == long.MaxValue ? null : _clock.ToNanoseconds(m.Unloaded));
            Commit();
        }
    }
}
