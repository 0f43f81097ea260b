using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>What one conversion wrote and how complete it is: the `meta` table's single row.</summary>
public sealed record TraceMeta
{
    public const int CurrentSchemaVersion = 3;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public string ToolVersion { get; init; } = "";
    public string SourceFile { get; init; } = "";
    public string Host { get; init; } = "";
    public int OsBuild { get; init; }
    public int PointerSize { get; init; }
    public long ClockFrequency { get; init; }
    public DateTime TraceStartUtc { get; init; }
    public DateTime TraceEndUtc { get; init; }
    public long DurationNs { get; init; }
    public long Events { get; init; }
    public long Stacks { get; init; }
    public long EventsLost { get; init; }
    public long BuffersLost { get; init; }
    public long DamagedBuffers { get; init; }
    public long DamagedRecords { get; init; }
    public bool Lossy { get; init; }
    public bool Partial { get; init; }
}

internal static class MetaTable
{
    private static readonly DataField SchemaVersion = new DataField<int>("schema_version");
    private static readonly DataField ToolVersion = new DataField<string>("tool_version", nullable: false);
    private static readonly DataField SourceFile = new DataField<string>("source_file", nullable: false);
    private static readonly DataField Host = new DataField<string>("host", nullable: false);
    private static readonly DataField OsBuild = new DataField<int>("os_build");
    private static readonly DataField PointerSize = new DataField<int>("pointer_size");
    private static readonly DataField ClockFrequency = new DataField<long>("clock_frequency");
    private static readonly DataField StartUtc = new DateTimeDataField("trace_start_utc", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Micros, isNullable: false);
    private static readonly DataField EndUtc = new DateTimeDataField("trace_end_utc", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Micros, isNullable: false);
    private static readonly DataField DurationNs = new DataField<long>("duration_ns");
    private static readonly DataField Events = new DataField<long>("events");
    private static readonly DataField Stacks = new DataField<long>("stacks");
    private static readonly DataField EventsLost = new DataField<long>("events_lost");
    private static readonly DataField BuffersLost = new DataField<long>("buffers_lost");
    private static readonly DataField DamagedBuffers = new DataField<long>("damaged_buffers");
    private static readonly DataField DamagedRecords = new DataField<long>("damaged_records");
    private static readonly DataField Lossy = new DataField<bool>("lossy");
    private static readonly DataField Partial = new DataField<bool>("partial");
    private static readonly ParquetSchema Schema = new(SchemaVersion, ToolVersion, SourceFile, Host, OsBuild,
        PointerSize, ClockFrequency, StartUtc, EndUtc, DurationNs, Events, Stacks, EventsLost, BuffersLost,
        DamagedBuffers, DamagedRecords, Lossy, Partial);

    public static void Write(string path, TraceMeta meta, ParquetWriteOptions options)
    {
        using ParquetTableFile file = ParquetTableFile.Create(path, Schema, options.ToParquetOptions(new Dictionary<string, EncodingHint>()));
        file.WriteRowGroup(1,
        [
            One(SchemaVersion, meta.SchemaVersion), Text(ToolVersion, meta.ToolVersion),
            Text(SourceFile, meta.SourceFile), Text(Host, meta.Host), One(OsBuild, meta.OsBuild),
            One(PointerSize, meta.PointerSize), One(ClockFrequency, meta.ClockFrequency),
            One(StartUtc, DateTime.SpecifyKind(meta.TraceStartUtc, DateTimeKind.Utc)),
            One(EndUtc, DateTime.SpecifyKind(meta.TraceEndUtc, DateTimeKind.Utc)),
            One(DurationNs, meta.DurationNs), One(Events, meta.Events), One(Stacks, meta.Stacks),
            One(EventsLost, meta.EventsLost), One(BuffersLost, meta.BuffersLost),
            One(DamagedBuffers, meta.DamagedBuffers), One(DamagedRecords, meta.DamagedRecords), One(Lossy, meta.Lossy), One(Partial, meta.Partial),
        ]);
        file.Close();
    }

    private static IColumnBuffer One<T>(DataField field, T value) where T : struct
    {
        var column = new RequiredColumn<T>(field, 1);
        column.Values[0] = value;
        return column;
    }

    private static IColumnBuffer Text(DataField field, string value)
    {
        var column = new StringColumn(field, 1);
        column.Values[0] = value;
        return column;
    }
}

/// <summary>`object_types`: the trace's object type index → name map (type indexes differ per boot).</summary>
internal static class ObjectTypesTable
{
    private static readonly DataField Type = new DataField<ushort>("type");
    private static readonly DataField TypeName = new DataField<string>("type_name", nullable: false);
    private static readonly ParquetSchema Schema = new(Type, TypeName);

    public static void Write(string path, ObjectTypeNames names, ParquetWriteOptions options)
    {
        var all = names.All().ToList();
        using ParquetTableFile file = ParquetTableFile.Create(path, Schema, options.ToParquetOptions(new Dictionary<string, EncodingHint>()));
        var type = new RequiredColumn<ushort>(Type, all.Count);
        var name = new StringColumn(TypeName, all.Count);
        for (int i = 0; i < all.Count; i++) (type.Values[i], name.Values[i]) = all[i];
        file.WriteRowGroup(all.Count, [type, name]);
        file.Close();
    }
}
