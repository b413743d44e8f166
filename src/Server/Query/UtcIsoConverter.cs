using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StackScope.Server.Query;

/// <summary>Query answers carry times as ISO 8601 UTC with a Z, which browsers turn into the viewer's time zone.</summary>
internal sealed class UtcIsoConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
}
