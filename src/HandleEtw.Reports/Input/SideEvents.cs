using HandleEtw.Core.Events;

namespace HandleEtw.Reports.Input;

/// <summary>Process, image and .NET method events from their tables (one row per instance), sorted by time to interleave
/// with handles.</summary>
internal sealed class SideEvents
{
    /// <summary>A <see cref="ProcessEvent"/>, <see cref="ImageEvent"/>, <see cref="ClrModuleEvent"/> or <see cref="MethodEvent"/>.</summary>
    private readonly List<(long Time, int Order, object Event)> _events = new();
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
                _events.Add((e.Timestamp, 0, e));
                if (end[i] is long stop)
                    _events.Add((stop, 2, e with { Op = ProcessOp.Stop, Timestamp = stop, ExitStatus = exit[i] ?? 0 }));
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
                _events.Add((e.Timestamp, 1, e));
                if (unload[i] is long gone) _events.Add((gone, 2, e with { Op = ImageOp.Unload, Timestamp = gone }));
            }
        }
    }

    /// <summary>
    /// `methods` rows as the events that made them: a load at its load time (a rundown start when loaded before the
    /// trace), an unload at its unload time; each module once, at the start, so frames print its name.
    /// </summary>
    public void AddMethods(string path)
    {
        if (!File.Exists(path)) return; // written before schema v3
        using ParquetTable table = ParquetTable.Open(path);
        var modules = new HashSet<(int Pid, ulong ModuleId)>();
        for (int g = 0; g < table.RowGroups; g++)
        {
            using ParquetTable.Group rows = table.Open(g);
            int[] pid = rows.Values<int>("pid"); ulong[] start = rows.Values<ulong>("start"); uint[] size = rows.Values<uint>("size");
            string?[] ns = rows.Strings("namespace"); string?[] name = rows.Strings("name"); string?[] signature = rows.Strings("signature");
            string?[] modulePath = rows.Strings("module_path"); ulong[] moduleId = rows.Values<ulong>("module_id");
            ulong[] methodId = rows.Values<ulong>("method_id"); ulong[] rejit = rows.Values<ulong>("rejit_id");
            uint[] flags = rows.Values<uint>("flags");
            long?[] load = rows.Nullable<long>("load_time_ns"); long?[] unload = rows.Nullable<long>("unload_time_ns");
            for (int i = 0; i < pid.Length; i++)
            {
                if (modulePath[i] is { } il && modules.Add((pid[i], moduleId[i])))
                    _events.Add((0, 0, new ClrModuleEvent { Op = ClrModuleOp.DCStart, ProcessId = pid[i], ModuleId = moduleId[i], ILPath = il }));
                var e = new MethodEvent
                {
                    Op = load[i] is null ? MethodOp.DCStart : MethodOp.Load, Timestamp = load[i] ?? 0, ProcessId = pid[i],
                    MethodId = methodId[i], ModuleId = moduleId[i], Start = start[i], Size = size[i], Flags = flags[i],
                    Namespace = ns[i] ?? "", Name = name[i] ?? "", Signature = signature[i] ?? "", ReJitId = rejit[i],
                };
                _events.Add((e.Timestamp, 1, e));
                // Code is gone at its unload time ([load, unload)): before a handle event or a new load of that instant.
                if (unload[i] is long gone) _events.Add((gone, 0, e with { Op = MethodOp.Unload, Timestamp = gone }));
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
            switch (e.Event)
            {
                case ProcessEvent p: consumer.OnProcess(p); break;
                case ImageEvent m: consumer.OnImage(m); break;
                case ClrModuleEvent c: consumer.OnClrModule(c); break;
                case MethodEvent j: consumer.OnMethod(j); break;
            }
            last = e.Time;
            _next++;
        }
        return last;
    }
}
