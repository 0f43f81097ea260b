namespace HandleEtw.Parquet.Symbolize;

/// <summary>The process instance and time of a stack's first use: whose modules its user frames fall in.</summary>
internal readonly record struct StackOwner(int Pid, ulong ProcessKey, long TimeNs);

/// <summary>
/// stack_id → first event that used it, read from `events` (in trace order). A stack id shared by several processes
/// resolves with its first user's modules; kernel frames resolve the same for all.
/// </summary>
internal static class StackOwners
{
    public static Dictionary<int, StackOwner> Read(string eventsPath)
    {
        var owners = new Dictionary<int, StackOwner>();
        if (!File.Exists(eventsPath)) return owners;
        using var table = ParquetTableReader.Open(eventsPath);
        var stackId = table.Column("stack_id");
        var pid = table.Column("pid");
        var key = table.Column("process_key");
        var time = table.Column("time_ns");
        for (int g = 0; g < table.RowGroupCount; g++)
        {
            table.Read(g, group =>
            {
                int?[] ids = ParquetTableReader.Nullable<int>(group, stackId);
                int[] pids = ParquetTableReader.Required<int>(group, pid);
                ulong[] keys = ParquetTableReader.Required<ulong>(group, key);
                long[] times = ParquetTableReader.Required<long>(group, time);
                for (int i = 0; i < ids.Length; i++)
                    if (ids[i] is int id) owners.TryAdd(id, new StackOwner(pids[i], keys[i], times[i]));
                return 0;
            });
        }
        return owners;
    }
}
