using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace HandleEtw.Core.Analysis;

/// <summary>How every command writes JSON: indented, and frames like `ntdll.dll+0x1a2b` kept readable (the output is
/// for scripts and terminals, never embedded in HTML, so HTML-safe escaping of '+' is not wanted).</summary>
public static class JsonOutput
{
    public static JsonWriterOptions Options { get; } = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One JSON document written by <paramref name="body"/>, as a string.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
            body(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
