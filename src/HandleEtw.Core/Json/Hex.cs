using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HandleEtw.Core.Json;

/// <summary>
/// A 64-bit address, object pointer, image base or process key, written as a lower-case hex string ("0xffffc000010000c0").
/// JSON numbers are doubles in jq and JavaScript and lose the low bits of kernel addresses; a string keeps them.
/// </summary>
[JsonConverter(typeof(HexJsonConverter))]
public readonly record struct Hex(ulong Value)
{
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>"0x" followed by 1-16 hex digits, as <see cref="ToString"/> writes it.</summary>
    public static bool TryParse(string? text, out Hex hex)
    {
        hex = default;
        if (text is null || text.Length is < 3 or > 18 || !text.StartsWith("0x", StringComparison.Ordinal)) return false;
        if (!ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)) return false;
        hex = new Hex(value);
        return true;
    }
}

public sealed class HexJsonConverter : JsonConverter<Hex>
{
    public override Hex Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return Hex.TryParse(text, out Hex hex) ? hex : throw new JsonException($"expected a hex string such as \"0x1a4\", got {text ?? reader.TokenType.ToString()}");
    }

    public override void Write(Utf8JsonWriter writer, Hex value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
