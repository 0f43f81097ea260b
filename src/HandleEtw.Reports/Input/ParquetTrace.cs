using HandleEtw.Core.Records;

namespace HandleEtw.Reports.Input;

/// <summary>What meta.parquet says about a converted trace.</summary>
/// <param name="EndNs">The source's last record, ns from the start (meta.duration_ns): the end of the trace the
/// analyses see (the leak rule's window), which the tables' own last row may fall short of.</param>
public sealed record ParquetTraceMeta(TraceInfo Info, long EndNs);

/// <summary>A directory written by `handleetw convert` (one trace: its tables, or a single host=/date= partition).</summary>
public static class ParquetTrace
{
    public static bool IsParquetDirectory(string path) => Directory.Exists(path) && FindTables(path) is not null;

    /// <summary>The folder holding events.parquet and meta.parquet, or null.</summary>
    public static string? FindTables(string path)
    {
        if (File.Exists(Path.Combine(path, "events.parquet"))) return path;
        var found = Directory.EnumerateFiles(path, "events.parquet", SearchOption.AllDirectories).Take(2).ToList();
        return found.Count == 1 ? Path.GetDirectoryName(found[0]) : null;
    }

    /// <summary>The trace description from meta.parquet; times of the replayed events are nanoseconds from the start.</summary>
    public static ParquetTraceMeta ReadMeta(string tables)
    {
        using ParquetTable meta = ParquetTable.Open(Path.Combine(tables, "meta.parquet"));
        if (meta.RowGroups == 0) throw new TraceFormatException("meta.parquet: no rows", 0);
        using ParquetTable.Group row = meta.Open(0);
        if (row.Rows == 0) throw new TraceFormatException("meta.parquet: no rows", 0);
        var info = new TraceInfo
        {
            Source = row.Strings("source_file")[0] ?? tables,
            HostName = row.Strings("host")[0],
            OsBuild = row.Values<int>("os_build")[0],
            OsVersion = new Version(10, 0),
            PointerSize = row.Values<int>("pointer_size")[0],
            StartUtc = DateTime.SpecifyKind(row.Values<DateTime>("trace_start_utc")[0], DateTimeKind.Utc),
            EndUtc = DateTime.SpecifyKind(row.Values<DateTime>("trace_end_utc")[0], DateTimeKind.Utc),
            ClockFrequency = 1_000_000_000,
            StartTimestamp = 0,
            EventsLost = row.Values<long>("events_lost")[0],
            BuffersLost = row.Values<long>("buffers_lost")[0],
            DamagedBuffers = row.Values<long>("damaged_buffers")[0],
            DamagedRecords = meta.HasColumn("damaged_records") ? row.Values<long>("damaged_records")[0] : 0,
        };
        return new ParquetTraceMeta(info, Math.Max(0, row.Values<long>("duration_ns")[0]));
    }
}
