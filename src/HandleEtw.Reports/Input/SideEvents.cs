using HandleEtw.Core.Events;

namespace HandleEtw.Reports.Input;

/// <summary>Process and image events from their tables (one row per instance), sorted by time to interleave with handles.</summary>
internal sealed class SideEvents
{
    private readonly List<(long Time, int Order, ProcessEvent? Process, ImageEvent? Image)> _events = new();
    private int _next;

    public void AddProcesses(string path)
    {
        if (!File.Exists(path)) return;
        using ParquetTable table = ParquetTable.Open(path);
        for (int g = 0; g < table.RowGroups; g++)
        {
            using ParquetTable.Group rows = table.Open(g);
            ulong[] key = rows.Values<ulong>("process_key"); int[] pid = rows.Values<int>("pid");
            int[] parent = rows.Values<int>("parent_pid"); int[] session = rows.Values<int>("session_id");
            string?[] image = rows.Strings("image"); string?[] command = rows.Strings("command_line");
            long?[] start = rows.Nullable<long>("start_time_ns"); long?[] end = rows.Nullable<long>("end_time_ns");
            int?[] exit = rows.Nullable<int>("exit_status");
            for (int i = 0; i < pid.Length; i++)
            {
                var e = new ProcessEvent
                {
                    Op = start[i] is null ? ProcessOp.DCStart : ProcessOp.Start, Timestamp = start[i] ?? 0,
                    UniqueProcessKey = key[i], ProcessId = pid[i], ParentId = parent[i], SessionId = session[i],
                    ImageFileName = image[i] ?? "", CommandLine = command[i] ?? "", StackId = -1,
                };
                _events.Add((e.Timestamp, 0, e, null));
                if (end[i] is long stop)
                    _events.Add((stop, 2, e with { Op = ProcessOp.Stop, Timestamp = stop, ExitStatus = exit[i] ?? 0 }, null));
            }
        }
    }

    public void AddModules(string path)
    {
        if (!File.Exists(path)) return;
        using ParquetTable table = ParquetTable.Open(path);
        for (int g = 0; g < table.RowGroups; g++)
        {
            using ParquetTable.Group rows = table.Open(g);
            int[] pid = rows.Values<int>("pid"); ulong[] imageBase = rows.Values<ulong>("base"); ulong[] size = rows.Values<ulong>("size");
            string?[] file = rows.Strings("path"); uint[] stamp = rows.Values<uint>("time_date_stamp");
            long?[] load = rows.Nullable<long>("load_time_ns"); long?[] unload = rows.Nullable<long>("unload_time_ns");
            for (int i = 0; i < pid.Length; i++)
            {
                var e = new ImageEvent
                {
                    Op = load[i] is null ? ImageOp.DCStart : ImageOp.Load, Timestamp = load[i] ?? 0, ProcessId = pid[i],
                    ImageBase = imageBase[i], ImageSize = size[i], TimeDateStamp = stamp[i], FileName = file[i] ?? "",
                };
                _events.Add((e.Timestamp, 1, null, e));
                if (unload[i] is long gone) _events.Add((gone, 2, null, e with { Op = ImageOp.Unload, Timestamp = gone }));
            }
        }
    }

    /// <summary>Starts and loads go before handle events of the same instant; stops and unloads after.</summary>
    public void Sort() => _events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));

    /// <summary>Delivers the events due before a handle event at <paramref name="time"/>; returns the last time delivered.</summary>
    public long Flush(long time, bool all, TraceConsumer consumer)
    {
        long last = 0;
        while (_next < _events.Count)
        {
            var e = _events[_next];
            if (!all && (e.Time > time || (e.Time == time && e.Order == 2))) break;
            if (e.Process is ProcessEvent p) consumer.OnProcess(p);
            else if (e.Image is ImageEvent m) consumer.OnImage(m);
            last = e.Time;
            _next++;
        }
        return last;
    }
}
