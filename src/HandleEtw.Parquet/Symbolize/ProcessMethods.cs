using HandleEtw.Core.Stacks;
using HandleEtw.Symbols;

namespace HandleEtw.Parquet.Symbolize;

/// <summary>
/// The `methods` table by process instance (pid + process_key): which .NET method's native code covered an address
/// at a time. Directories written before the table existed (schema v2) have none: every lookup then misses.
/// </summary>
internal sealed class ProcessMethods
{
    private readonly Dictionary<(int Pid, ulong Key), RangeTimeline<ManagedMethod>> _byInstance;

    private ProcessMethods(Dictionary<(int, ulong), RangeTimeline<ManagedMethod>> byInstance) => _byInstance = byInstance;

    public int Count => _byInstance.Values.Sum(t => t.Count);

    /// <summary>The instance's own methods, else those logged before any process event named it (key 0).</summary>
    public ManagedMethod? Find(int pid, ulong key, ulong address, long timeNs)
    {
        if (_byInstance.TryGetValue((pid, key), out var own) && own.TryFind(address, timeNs, out var m)) return m.Value;
        return key != 0 && _byInstance.TryGetValue((pid, 0UL), out var early) && early.TryFind(address, timeNs, out var e) ? e.Value : null;
    }

    public static ProcessMethods Read(string methodsPath)
    {
        var rows = new Dictionary<(int, ulong), List<TimedRange<ManagedMethod>>>();
        if (File.Exists(methodsPath))
        {
            using var table = ParquetTableReader.Open(methodsPath);
            var pid = table.Column("pid");
            var key = table.Column("process_key");
            var start = table.Column("start");
            var size = table.Column("size");
            var ns = table.Column("namespace");
            var name = table.Column("name");
            var modulePath = table.Column("module_path");
            var load = table.Column("load_time_ns");
            var unload = table.Column("unload_time_ns");
            for (int g = 0; g < table.RowGroupCount; g++)
            {
                table.Read(g, group =>
                {
                    int[] pids = ParquetTableReader.Required<int>(group, pid);
                    ulong[] keys = ParquetTableReader.Required<ulong>(group, key);
                    ulong[] starts = ParquetTableReader.Required<ulong>(group, start);
                    uint[] sizes = ParquetTableReader.Required<uint>(group, size);
                    string?[] namespaces = ParquetTableReader.Strings(group, ns);
                    string?[] names = ParquetTableReader.Strings(group, name);
                    string?[] paths = ParquetTableReader.Strings(group, modulePath);
                    long?[] loads = ParquetTableReader.Nullable<long>(group, load);
                    long?[] unloads = ParquetTableReader.Nullable<long>(group, unload);
                    for (int i = 0; i < pids.Length; i++)
                    {
                        string? file = string.IsNullOrEmpty(paths[i]) ? null : ModuleIdentity.FileNameOf(paths[i]!);
                        var method = new ManagedMethod(file, FullName(namespaces[i], names[i]), starts[i]);
                        if (!rows.TryGetValue((pids[i], keys[i]), out var list)) rows[(pids[i], keys[i])] = list = new();
                        list.Add(new TimedRange<ManagedMethod>(starts[i], sizes[i], loads[i], unloads[i], method));
                    }
                    return 0;
                });
            }
        }
        return new ProcessMethods(rows.ToDictionary(r => r.Key, r => new RangeTimeline<ManagedMethod>(r.Value)));
    }

    private static string FullName(string? ns, string? name) => string.IsNullOrEmpty(ns) ? name ?? "" : $"{ns}.{name}";

}
