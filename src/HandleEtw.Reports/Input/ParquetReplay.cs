using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Reports.Input;

/// <summary>
/// Replays the tables of `convert` as the event stream the analyses consume: stacks interned into a fresh table (ids
/// mapped), object types, process and image starts/stops and .NET method loads/unloads merged by time with the handle
/// events, streamed a row group at a time. Times are nanoseconds from the trace start (the TraceInfo of <see cref="ParquetTrace.ReadMeta"/>). The
/// trace ends where the source's did (<paramref name="endNs"/>), not at the last table row, so the leak rule's window
/// and every span match the .etl's.
/// </summary>
public static class ParquetReplay
{
    /// <param name="endNs">meta.duration_ns: the source's last record, often after the last handle event.</param>
    public static StackTable Run(string tables, TraceConsumer consumer, long endNs = 0)
    {
        var stacks = new StackTable();
        Dictionary<int, int> ids = ReadStacks(Path.Combine(tables, "stacks.parquet"), stacks);
        ReadObjectTypes(Path.Combine(tables, "object_types.parquet"), consumer);
        var side = new SideEvents();
        side.AddProcesses(Path.Combine(tables, "processes.parquet"));
        side.AddModules(Path.Combine(tables, "modules.parquet"));
        side.AddMethods(Path.Combine(tables, "methods.parquet"));
        side.Sort();
        long last = ReplayEvents(Path.Combine(tables, "events.parquet"), ids, side, consumer);
        last = Math.Max(last, side.Flush(long.MaxValue, true, consumer));
        consumer.OnEnd(Math.Max(last, endNs));
        return stacks;
    }

    private static Dictionary<int, int> ReadStacks(string path, StackTable stacks)
    {
        var ids = new Dictionary<int, int>();
        if (!File.Exists(path)) return ids;
        using ParquetTable table = ParquetTable.Open(path);
        for (int g = 0; g < table.RowGroups; g++)
        {
            using ParquetTable.Group rows = table.Open(g);
            int[] stackIds = rows.Values<int>("stack_id");
            int[] depths = rows.Values<int>("depth");
            ulong[] frames = rows.Flattened("frames", depths.Sum(d => (long)Math.Max(0, d)));
            long offset = 0;
            for (int i = 0; i < stackIds.Length; i++)
            {
                int depth = depths[i];
                if (depth < 0 || offset + depth > frames.Length)
                    throw new TraceFormatException($"stacks.parquet: stack {stackIds[i]} has {depth} frames, beyond the frame column", 0);
                ids[stackIds[i]] = stacks.Intern(frames.AsSpan((int)offset, depth));
                offset += depth;
            }
        }
        return ids;
    }

    private static void ReadObjectTypes(string path, TraceConsumer consumer)
    {
        if (!File.Exists(path)) return;
        using ParquetTable table = ParquetTable.Open(path);
        for (int g = 0; g < table.RowGroups; g++)
        {
            using ParquetTable.Group rows = table.Open(g);
            ushort[] type = rows.Values<ushort>("type");
            string?[] name = rows.Strings("type_name");
            for (int i = 0; i < type.Length; i++) consumer.OnObjectType(0, type[i], name[i] ?? "");
        }
    }

    private static long ReplayEvents(string path, Dictionary<int, int> ids, SideEvents side, TraceConsumer consumer)
    {
        long last = 0;
        using ParquetTable table = ParquetTable.Open(path);
        for (int g = 0; g < table.RowGroups; g++)
        {
            using ParquetTable.Group rows = table.Open(g);
            long[] time = rows.Values<long>("time_ns"); byte[] op = rows.Values<byte>("op");
            int[] pid = rows.Values<int>("pid"); int[] tid = rows.Values<int>("tid"); ushort[] cpu = rows.Values<ushort>("cpu");
            uint[] handle = rows.Values<uint>("handle"); ulong[] obj = rows.Values<ulong>("object");
            ushort[] type = rows.Values<ushort>("type"); string?[] name = rows.Strings("name");
            int?[] stack = rows.Nullable<int>("stack_id"); int?[] sourcePid = rows.Nullable<int>("source_pid");
            int?[] targetPid = rows.Nullable<int>("target_pid"); uint?[] targetHandle = rows.Nullable<uint>("target_handle");
            // v3 tables: GDI/USER rows beside the kernel ones (older tables have only kernel rows).
            string?[]? kind = table.HasColumn("handle_kind") ? rows.Strings("handle_kind") : null;
            int?[]? session = table.HasColumn("session_id") ? rows.Nullable<int>("session_id") : null;
            for (int i = 0; i < time.Length; i++)
            {
                side.Flush(time[i], false, consumer);
                if (kind is not null && kind[i] is "gdi" or "user")
                {
                    consumer.OnGuiHandle(new GuiHandleEvent
                    {
                        Kind = kind[i] == "gdi" ? HandleKind.Gdi : HandleKind.User, Op = GuiOp(op[i]), Timestamp = time[i],
                        ProcessId = sourcePid[i] ?? pid[i], ThreadId = tid[i], Cpu = cpu[i], Handle = obj[i],
                        NewHandle = targetHandle[i] ?? 0, Type = type[i], SessionId = session?[i] ?? 0, OwnerProcessId = pid[i],
                        StackId = stack[i] is int gs && ids.TryGetValue(gs, out int gm) ? gm : -1,
                    });
                    last = Math.Max(last, time[i]);
                    continue;
                }
                var e = new HandleEvent
                {
                    Op = Op(op[i]), Timestamp = time[i], ProcessId = pid[i], ThreadId = tid[i], Cpu = cpu[i],
                    Object = obj[i], Handle = handle[i], ObjectType = type[i], Name = name[i],
                    StackId = stack[i] is int s && ids.TryGetValue(s, out int mapped) ? mapped : -1,
                    SourceProcessId = sourcePid[i] ?? 0, TargetProcessId = targetPid[i] ?? 0, TargetHandle = targetHandle[i] ?? 0,
                };
                consumer.OnHandle(e);
                last = Math.Max(last, time[i]);
            }
        }
        return last;
    }

    /// <summary>`events.op` codes of GDI/USER rows.</summary>
    private static GuiHandleOp GuiOp(byte op) => op switch
    {
        0 => GuiHandleOp.Create,
        1 => GuiHandleOp.Destroy,
        5 => GuiHandleOp.OwnerChange,
        6 => GuiHandleOp.Transform,
        _ => throw new TraceFormatException($"events.parquet: unknown op {op} of a GDI/USER row", 0),
    };

    /// <summary>`events.op` codes (docs/parquet-schema.md).</summary>
    private static HandleOp Op(byte op) => op switch
    {
        0 => HandleOp.Create,
        1 => HandleOp.Close,
        2 => HandleOp.Duplicate,
        3 => HandleOp.RundownStart,
        4 => HandleOp.RundownEnd,
        _ => throw new TraceFormatException($"events.parquet: unknown op {op}", 0),
    };
}
