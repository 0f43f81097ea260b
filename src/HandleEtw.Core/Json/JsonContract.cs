using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using HandleEtw.Core.Records;

namespace HandleEtw.Core.Json;

/// <summary>
/// What every JSON document starts with: the contract's version, whether the trace lost anything, and the counts of
/// what it lost. docs/json.md describes every document.
/// </summary>
public abstract record TraceDocument(bool Lossy, DamageJson Damage)
{
    /// <summary>Raised when a field changes meaning or type or goes away; new fields do not raise it.</summary>
    [JsonPropertyOrder(-3)]
    public int SchemaVersion => JsonContract.SchemaVersion;

    [JsonPropertyOrder(-2)]
    public bool Lossy { get; init; } = Lossy;

    [JsonPropertyOrder(-1)]
    public DamageJson Damage { get; init; } = Damage;
}

/// <summary>Loss and damage counters of the trace (all zero in a clean trace).</summary>
public sealed record DamageJson(long LostEvents, long LostBuffers, long DamagedBuffers, long DamagedBytes, long SkippedRecords,
    long DamagedRecords)
{
    public static DamageJson Of(TraceInfo info) =>
        new(info.EventsLost, info.BuffersLost, info.DamagedBuffers, info.DamagedBytes, info.SkippedRecords, info.DamagedRecords);

    /// <summary>Both traces' counts added up (compare's header).</summary>
    public DamageJson Plus(DamageJson o) => new(LostEvents + o.LostEvents, LostBuffers + o.LostBuffers,
        DamagedBuffers + o.DamagedBuffers, DamagedBytes + o.DamagedBytes, SkippedRecords + o.SkippedRecords,
        DamagedRecords + o.DamagedRecords);
}

/// <summary>Writes the documents: snake_case names, indented, frames like `ntdll+0x1a2b` left readable (the output is
/// for scripts and terminals, never embedded in HTML, so HTML-safe escaping of '+' is not wanted).</summary>
public static class JsonContract
{
    public const int SchemaVersion = 1;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write<T>(T document) where T : TraceDocument
    {
        var info = ContractContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered in {nameof(ContractContext)}");
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
            JsonSerializer.Serialize(writer, document, info);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DiffJson))]
[JsonSerializable(typeof(LeaksJson))]
[JsonSerializable(typeof(HistoryJson))]
[JsonSerializable(typeof(MisuseJson))]
[JsonSerializable(typeof(StatsJson))]
[JsonSerializable(typeof(ModulesJson))]
[JsonSerializable(typeof(MethodsJson))]
[JsonSerializable(typeof(RecordJson))]
[JsonSerializable(typeof(CompareJson))]
internal sealed partial class ContractContext : JsonSerializerContext;
