using HandleEtw.Core.Stacks;
using HandleEtw.Symbols;

namespace HandleEtw.Parquet.Symbolize;

/// <summary>
/// The `modules` table as a <see cref="ModuleTimeline"/> keyed by process instance (pid + process_key), so a reused
/// pid resolves against the right process. The lookup's "process id" is an owner number from <see cref="OwnerOf"/>.
/// </summary>
internal sealed class ProcessModules
{
    private const int FirstInstance = 8; // above the kernel's pids 0 and 4, which the timeline shares with everyone
    private readonly Dictionary<(int Pid, ulong Key), int> _instances = new();
    private readonly List<(int Primary, int Fallback)> _owners = new();
    private readonly List<(int Pid, ulong Key)> _ownerInstances = new();
    private readonly Dictionary<(int Pid, ulong Key), int> _ownerIds = new();
    private readonly ModuleTimeline _timeline;

    public int Count { get; }

    private ProcessModules(List<(int Pid, ulong Key, ModuleIdentity Module, long? Load, long? Unload)> rows)
    {
        Count = rows.Count;
        _timeline = new ModuleTimeline(rows.Select(r =>
            new ModuleRecord(r.Pid is 0 or 4 ? r.Pid : Instance(r.Pid, r.Key), r.Module, r.Load, r.Unload)));
    }

    public ModuleLookup Lookup => Find;

    /// <summary>The owner number to pass to <see cref="Lookup"/> for a stack used by this process instance.</summary>
    public int OwnerOf(int pid, ulong key)
    {
        if (_ownerIds.TryGetValue((pid, key), out int owner)) return owner;
        int primary = pid is 0 or 4 ? pid : _instances.GetValueOrDefault((pid, key), -1);
        // Modules logged before the process was known carry key 0: they belong to every instance of the pid.
        int fallback = _instances.GetValueOrDefault((pid, 0UL), -1);
        _owners.Add((primary, fallback));
        _ownerInstances.Add((pid, key));
        return _ownerIds[(pid, key)] = _owners.Count - 1;
    }

    /// <summary>The process instance an owner number stands for; null for kernel-only lookups.</summary>
    public (int Pid, ulong Key)? InstanceOf(int owner) =>
        (uint)owner < (uint)_ownerInstances.Count ? _ownerInstances[owner] : null;

    private ModuleIdentity? Find(int owner, ulong address, long time)
    {
        if ((uint)owner >= (uint)_owners.Count) return _timeline.Find(-1, address, time); // kernel images only
        var (primary, fallback) = _owners[owner];
        return _timeline.Find(primary, address, time) ?? (fallback >= 0 ? _timeline.Find(fallback, address, time) : null);
    }

    private int Instance(int pid, ulong key)
    {
        if (!_instances.TryGetValue((pid, key), out int id)) _instances[(pid, key)] = id = FirstInstance + _instances.Count;
        return id;
    }

    public static ProcessModules Read(string modulesPath)
    {
        using var table = ParquetTableReader.Open(modulesPath);
        var key = table.Column("process_key");
        var pid = table.Column("pid");
        var @base = table.Column("base");
        var size = table.Column("size");
        var path = table.Column("path");
        var guid = table.Column("pdb_guid");
        var age = table.Column("pdb_age");
        var name = table.Column("pdb_name");
        var load = table.Column("load_time_ns");
        var unload = table.Column("unload_time_ns");
        var rows = new List<(int, ulong, ModuleIdentity, long?, long?)>();
        for (int g = 0; g < table.RowGroupCount; g++)
        {
            table.Read(g, group =>
            {
                var keys = ParquetTableReader.Required<ulong>(group, key);
                var pids = ParquetTableReader.Required<int>(group, pid);
                var bases = ParquetTableReader.Required<ulong>(group, @base);
                var sizes = ParquetTableReader.Required<ulong>(group, size);
                var paths = ParquetTableReader.Strings(group, path);
                var guids = ParquetTableReader.Strings(group, guid);
                var ages = ParquetTableReader.Nullable<int>(group, age);
                var names = ParquetTableReader.Strings(group, name);
                var loads = ParquetTableReader.Nullable<long>(group, load);
                var unloads = ParquetTableReader.Nullable<long>(group, unload);
                for (int i = 0; i < keys.Length; i++)
                {
                    Guid pdbGuid = Guid.TryParse(guids[i], out var parsed) ? parsed : Guid.Empty;
                    var module = new ModuleIdentity(paths[i] ?? "", bases[i], sizes[i], pdbGuid, ages[i] ?? 0, names[i]);
                    rows.Add((pids[i], keys[i], module, loads[i], unloads[i]));
                }
                return 0;
            });
        }
        return new ProcessModules(rows);
    }
}
