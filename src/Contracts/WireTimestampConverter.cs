using System.Text.Json;
using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>Reads and writes <see cref="DateTime"/> in the wire's <c>YYYY-MM-DD HH:MM:SS</c> UTC form.</summary>
public sealed class WireTimestampConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && WireTimestamp.TryParse(reader.GetString(), out var utc))
        {
            return utc;
        }

        throw new JsonException($"expected a UTC timestamp '{WireTimestamp.Format}'");
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(WireTimestamp.ToWire(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value));
    }
}
