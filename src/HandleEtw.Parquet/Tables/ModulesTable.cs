using HandleEtw.Core.Events;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>
/// `modules`: one row per image mapped into a process, with its PDB identity. A row is written on unload (or at the
/// end), so memory holds only the images loaded now.
/// </summary>
internal sealed class ModulesTable : TableBuffer
{
    public static readonly DataField ProcessKey = new DataField<ulong>("process_key");
    public static readonly DataField Pid = new DataField<int>("pid");
    public static readonly DataField Base = new DataField<ulong>("base");
    public static readonly DataField Size = new DataField<ulong>("size");
    public static readonly DataField FilePath = new DataField<string>("path", nullable: true);
    public static readonly DataField TimeDateStamp = new DataField<uint>("time_date_stamp");
    public static readonly DataField PdbGuid = new DataField<string>("pdb_guid", nullable: true);
    public static readonly DataField PdbAge = new DataField<int?>("pdb_age");
    public static readonly DataField PdbName = new DataField<string>("pdb_name", nullable: true);
    public static readonly DataField LoadNs = new DataField<long?>("load_time_ns");
    public static readonly DataField UnloadNs = new DataField<long?>("unload_time_ns");
    public static readonly ParquetSchema Schema = new(ProcessKey, Pid, Base, Size, FilePath, TimeDateStamp, PdbGuid,
        PdbAge, PdbName, LoadNs, UnloadNs);

    private readonly TraceClock _clock;
    private readonly Func<int, ulong> _keyOf;
    private readonly Dictionary<(int Pid, ulong Base), OpenModule> _open = new();
    private readonly Dictionary<(int Pid, ulong Base), ImageIdentity> _pendingIdentity = new();
    private readonly RequiredColumn<ulong> _key, _base, _size;
    private readonly RequiredColumn<int> _pid;
    private readonly RequiredColumn<uint> _stamp;
    private readonly StringColumn _path, _pdbGuid, _pdbName;
    private readonly NullableColumn<int> _pdbAge;
    private readonly NullableColumn<long> _load, _unload;

    public ModulesTable(string path, ParquetWriteOptions options, TraceClock clock, Func<int, ulong> keyOf)
        : base(path, Schema, options, new Dictionary<string, EncodingHint> { ["path"] = EncodingHint.Dictionary }, 256 * 1024)
    {
        _clock = clock;
        _keyOf = keyOf;
        int n = Capacity;
        SetColumns(_key = new(ProcessKey, n), _pid = new(Pid, n), _base = new(Base, n), _size = new(Size, n),
            _path = new(FilePath, n), _stamp = new(TimeDateStamp, n), _pdbGuid = new(PdbGuid, n),
            _pdbAge = new(PdbAge, n), _pdbName = new(PdbName, n), _load = new(LoadNs, n), _unload = new(UnloadNs, n));
    }

    public void On(in ImageEvent e)
    {
        var at = (e.ProcessId, e.ImageBase);
        switch (e.Op)
        {
            case ImageOp.Load:
            case ImageOp.DCStart:
            case ImageOp.KernelBase:
                if (_open.Remove(at, out var replaced)) Emit(replaced);
                var module = new OpenModule(_keyOf(e.ProcessId), e,
                    e.Op == ImageOp.Load ? _clock.ToNanoseconds(e.Timestamp) : null, null, null);
                if (_pendingIdentity.Remove(at, out var identity)) module = module with { Identity = identity };
                _open[at] = module;
                break;
            case ImageOp.Unload:
                var unloaded = _open.Remove(at, out var m) ? m : new OpenModule(_keyOf(e.ProcessId), e, null, null, null);
                Emit(unloaded with { UnloadNs = _clock.ToNanoseconds(e.Timestamp) });
                break;
            case ImageOp.DCEnd:
                if (!_open.ContainsKey(at)) _open[at] = new OpenModule(_keyOf(e.ProcessId), e, null, null, null);
                break;
        }
    }

    /// <summary>The PDB identity usually follows its image event; it may also come first.</summary>
    public void On(in ImageIdentity e)
    {
        var at = (e.ProcessId, e.ImageBase);
        if (_open.TryGetValue(at, out var module)) _open[at] = module with { Identity = e };
        else if (_pendingIdentity.Count < 65536) _pendingIdentity[at] = e;
    }

    public void Finish()
    {
        foreach (OpenModule m in _open.Values) Emit(m);
        _open.Clear();
        Close();
    }

    private void Emit(OpenModule m)
    {
        int r = Row;
        _key.Values[r] = m.ProcessKey;
        _pid.Values[r] = m.Image.ProcessId;
        _base.Values[r] = m.Image.ImageBase;
        _size.Values[r] = m.Image.ImageSize;
        _path.Values[r] = m.Image.FileName;
        _stamp.Values[r] = m.Image.TimeDateStamp;
        _pdbGuid.Values[r] = m.Identity?.PdbGuid.ToString("D");
        _pdbAge.Set(r, m.Identity?.PdbAge);
        _pdbName.Values[r] = m.Identity?.PdbName;
        _load.Set(r, m.LoadNs);
        _unload.Set(r, m.UnloadNs);
        Commit();
    }

    private readonly record struct OpenModule(ulong ProcessKey, ImageEvent Image, long? LoadNs, long? UnloadNs,
        ImageIdentity? Identity);
}
