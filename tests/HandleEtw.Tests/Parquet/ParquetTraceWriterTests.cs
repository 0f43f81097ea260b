using HandleEtw.Core.Events;
using HandleEtw.Parquet;

namespace HandleEtw.Tests.Parquet;

public class ParquetTraceWriterTests
{
    private static (ParquetScenario Scenario, TempDir Dir) Write(ParquetWriteOptions? options = null, int stopAfter = int.MaxValue, bool complete = true)
    {
        var scenario = new ParquetScenario();
        var dir = new TempDir();
        var live = new TestLiveHandles();
        using (var writer = new ParquetTraceWriter(dir.Path, scenario.Info, scenario.Stacks, options, live))
        {
            scenario.Push(new CompositeConsumer(live, writer), stopAfter);
            if (complete) writer.Complete();
        }
        return (scenario, dir);
    }

    [Fact]
    public void Every_table_reads_back_with_the_rows_written()
    {
        var (scenario, dir) = Write();
        using var _ = dir;
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        Assert.Equal(ParquetScenario.TotalHandleEvents, db.Count("SELECT count(*) FROM events"));
        Assert.Equal(scenario.Stacks.Count, db.Count("SELECT count(*) FROM stacks"));
        Assert.Equal(2, db.Count("SELECT count(*) FROM processes"));
        Assert.Equal(2, db.Count("SELECT count(*) FROM modules"));
        Assert.Equal(2, db.Count("SELECT count(*) FROM object_types"));
        Assert.Equal(1, db.Count("SELECT count(*) FROM meta"));
        // 30 leaked events + the duplicate's target, all labelled end
        Assert.Equal(ParquetScenario.LeakCount + 1, db.Count("SELECT count(*) FROM live_handles WHERE snapshot = 'end'"));
    }

    [Fact]
    public void Event_columns_read_back_exactly()
    {
        var (scenario, dir) = Write();
        using var _ = dir;
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        var first = db.Rows("SELECT time_ns, m.trace_start_utc + to_microseconds(time_ns // 1000), op, pid, process_key, tid, cpu, handle, object, e.type, t.type_name, name, stack_id, source_pid FROM events e CROSS JOIN meta m LEFT JOIN object_types t ON t.type = e.type ORDER BY time_ns LIMIT 1")[0];
        Assert.Equal(1_000_000_000L, Convert.ToInt64(first[0]));
        Assert.Equal(scenario.Info.StartUtc.AddSeconds(1), (DateTime)first[1]!);
        Assert.Equal(EventOps.Create, Convert.ToByte(first[2]));
        Assert.Equal(ParquetScenario.LeakPid, Convert.ToInt32(first[3]));
        Assert.Equal(0xffff_a000_0000_1000UL, Convert.ToUInt64(first[4]));
        Assert.Equal(11, Convert.ToInt32(first[5]));
        Assert.Equal(0, Convert.ToInt32(first[6]));
        Assert.Equal(0x400u, Convert.ToUInt32(first[7]));
        Assert.Equal(0xffff_c000_0000_0000UL, Convert.ToUInt64(first[8]));
        Assert.Equal(ParquetScenario.EventType, Convert.ToUInt16(first[9]));
        Assert.Equal("Event", first[10]);
        Assert.Null(first[11]);
        Assert.Equal(scenario.LeakStack, Convert.ToInt32(first[12]));
        Assert.Null(first[13]);

        var dup = db.Rows("SELECT source_pid, source_handle, target_pid, target_handle FROM events WHERE op = 2")[0];
        Assert.Equal(new long[] { ParquetScenario.LeakPid, 0x400, ParquetScenario.OtherPid, 0x2000 },
            dup.Select(Convert.ToInt64).ToArray());
        Assert.Equal(@"\Device\HarddiskVolume3\log.txt", db.Scalar("SELECT name FROM events WHERE name IS NOT NULL"));
        Assert.Equal(50, db.Count("SELECT count(*) FROM events WHERE stack_id IS NULL"));
        // v3: no text twin of op, no timestamp twin of time_ns (wall-clock time is derived from meta, as above).
        Assert.Equal(["time_ns", "op", "pid", "process_key", "tid", "cpu", "handle", "object", "type", "name", "stack_id",
            "source_pid", "source_handle", "target_pid", "target_handle", "handle_kind", "session_id"],
            db.Rows("SELECT column_name FROM (DESCRIBE events)").Select(r => (string)r[0]!));
        Assert.True(db.Count("SELECT count(*) FROM events WHERE op = 2") > 0);
    }

    [Fact]
    public void Stacks_processes_modules_and_meta_read_back()
    {
        var (scenario, dir) = Write(new ParquetWriteOptions { Compression = ParquetCompression.Snappy });
        using var _ = dir;
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        var frames = db.Rows($"SELECT frames, depth FROM stacks WHERE stack_id = {scenario.LeakStack}")[0];
        Assert.Equal(new ulong[] { 0x7ff8_0000_1000, 0x7ff8_0000_2000, 0x7ff7_1234_0000 },
            ((System.Collections.IEnumerable)frames[0]!).Cast<object>().Select(Convert.ToUInt64).ToArray());
        Assert.Equal(3, Convert.ToInt32(frames[1]));

        var worker = db.Rows("SELECT process_key, parent_pid, image, command_line, start_time_ns, end_time_ns, exit_status FROM processes WHERE pid = 200")[0];
        Assert.Equal(0xffff_a000_0000_2000UL, Convert.ToUInt64(worker[0]));
        Assert.Equal(100, Convert.ToInt32(worker[1]));
        Assert.Equal("worker.exe", worker[2]);
        Assert.Equal(500_000_000L, Convert.ToInt64(worker[4]));
        Assert.Equal(95_000_000_000L + 1_000_000_000L, Convert.ToInt64(worker[5]));
        Assert.Null(db.Rows("SELECT start_time_ns FROM processes WHERE pid = 100")[0][0]);

        var module = db.Rows("SELECT base, size, path, pdb_guid, pdb_age, pdb_name, load_time_ns, unload_time_ns FROM modules WHERE pid = 100")[0];
        Assert.Equal(0x7ff7_1230_0000UL, Convert.ToUInt64(module[0]));
        Assert.Equal("0b6e3c9a-5f0e-4c1d-9a39-2f1f5b8f6d11", module[3]);
        Assert.Equal(2, Convert.ToInt32(module[4]));
        Assert.Equal("leaky.pdb", module[5]);
        Assert.Null(module[6]);
        Assert.Null(module[7]);
        Assert.Equal(95_000_000_000L, Convert.ToInt64(db.Scalar("SELECT unload_time_ns FROM modules WHERE pid = 200")));
        Assert.Equal(0xffff_a000_0000_2000UL, Convert.ToUInt64(db.Scalar("SELECT process_key FROM modules WHERE pid = 200")));

        var meta = db.Rows("SELECT schema_version, source_file, host, os_build, pointer_size, trace_start_utc, duration_ns, events, lossy, partial FROM meta")[0];
        Assert.Equal(3, Convert.ToInt32(meta[0]));
        Assert.Equal("/traces/scenario.etl", meta[1]);
        Assert.Equal("WKS-01", meta[2]);
        Assert.Equal(26100, Convert.ToInt32(meta[3]));
        Assert.Equal(8, Convert.ToInt32(meta[4]));
        Assert.Equal(scenario.Info.StartUtc, (DateTime)meta[5]!);
        Assert.Equal(100_000_000_000L, Convert.ToInt64(meta[6]));
        Assert.Equal((long)ParquetScenario.TotalHandleEvents, Convert.ToInt64(meta[7]));
        Assert.False((bool)meta[8]!);
        Assert.False((bool)meta[9]!);
    }

    [Fact]
    public void Small_row_groups_split_events_and_keep_every_row()
    {
        var (_, dir) = Write(new ParquetWriteOptions { RowGroupSize = 7, Compression = ParquetCompression.None });
        using var _ = dir;
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        Assert.Equal(ParquetScenario.TotalHandleEvents, db.Count("SELECT count(*) FROM events"));
        Assert.Equal(ParquetScenario.TotalHandleEvents, db.Count("SELECT count(DISTINCT time_ns) FROM events"));
        Assert.True(db.Count($"SELECT count(*) FROM parquet_metadata('{Path.Combine(dir.Path, "events.parquet")}') WHERE column_id = 0") > 10);
    }

    [Fact]
    public void Time_and_id_columns_are_delta_encoded_and_read_back()
    {
        var (_, dir) = Write(new ParquetWriteOptions());
        using var _ = dir;
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        string file = Path.Combine(dir.Path, "events.parquet").Replace("'", "''");
        foreach (string column in new[] { "time_ns", "pid", "stack_id", "cpu", "tid", "type" })
            Assert.True(db.Count($"SELECT count(*) FROM parquet_metadata('{file}') WHERE path_in_schema = '{column}' " +
                                 "AND encodings LIKE '%DELTA_BINARY_PACKED%'") > 0, column);
        Assert.Equal(ParquetScenario.TotalHandleEvents, db.Count("SELECT count(*) FROM events WHERE pid > 0 AND cpu >= 0"));
        Assert.Equal(ParquetScenario.TotalHandleEvents, db.Count($"SELECT count(*) FROM events WHERE type IN ({ParquetScenario.EventType}, {ParquetScenario.FileType})"));
    }

    [Fact]
    public void Chunks_compression_cannot_shrink_are_stored_uncompressed_and_read_back()
    {
        var (scenario, dir) = Write(new ParquetWriteOptions { RowGroupSize = 16 });
        using var _ = dir;
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        string file = Path.Combine(dir.Path, "events.parquet").Replace("'", "''");
        string Codecs(string column) => string.Join(",", db.Rows(
            $"SELECT DISTINCT compression FROM parquet_metadata('{file}') WHERE path_in_schema = '{column}' ORDER BY 1").Select(r => r[0]));
        Assert.Equal("ZSTD", Codecs("object"));
        Assert.Equal("UNCOMPRESSED", Codecs("stack_id"));
        Assert.Equal("UNCOMPRESSED", Codecs("session_id")); // kernel rows only: every session_id is null
        Assert.Equal("UNCOMPRESSED,ZSTD", Codecs("name")); // the one row group with a name, and the rest
        Assert.Equal(scenario.LeakStack, Convert.ToInt32(db.Scalar("SELECT stack_id FROM events ORDER BY time_ns LIMIT 1")));
        Assert.Equal(@"\Device\HarddiskVolume3\log.txt", db.Scalar("SELECT name FROM events WHERE name IS NOT NULL"));
        Assert.Equal(50, db.Count("SELECT count(*) FROM events WHERE stack_id IS NULL"));
    }

    [Fact]
    public void Cancelled_run_leaves_valid_files_marked_partial()
    {
        var (_, dir) = Write(stopAfter: 40, complete: false);
        using var _ = dir;
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        Assert.Equal(40, db.Count("SELECT count(*) FROM events"));
        Assert.True((bool)db.Scalar("SELECT partial FROM meta")!);
        Assert.Equal(40L, Convert.ToInt64(db.Scalar("SELECT events FROM meta")));
        foreach (string table in ParquetLayout.Tables)
            Assert.True(File.Exists(Path.Combine(dir.Path, table + ".parquet")), table);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}
