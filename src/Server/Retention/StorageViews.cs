using System.Text.Json.Serialization;
using StackScope.Contracts;
using StackScope.Server.Query;

namespace StackScope.Server.Retention;

/// <summary>One table of stored history: its tier, size, oldest data and growth.</summary>
internal sealed record StorageTableView(
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("tier")] string Tier,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("oldest")] DateTime? Oldest,
    [property: JsonPropertyName("retentionDays")] int RetentionDays,
    [property: JsonPropertyName("growthBytesPerDay")] long GrowthBytesPerDay,
    [property: JsonPropertyName("partitions")] int Partitions);

internal sealed record RetentionView(
    [property: JsonPropertyName("rawDays")] int RawDays,
    [property: JsonPropertyName("fiveMinuteDays")] int FiveMinuteDays,
    [property: JsonPropertyName("hourDays")] int HourDays,
    [property: JsonPropertyName("eventDays")] int EventDays,
    [property: JsonPropertyName("alertDays")] int AlertDays,
    [property: JsonPropertyName("maxRawMegabytes")] int MaxRawMegabytes,
    [property: JsonPropertyName("intervalMinutes")] double IntervalMinutes);

internal sealed record StorageView(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("retention")] RetentionView Retention,
    [property: JsonPropertyName("tables")] IReadOnlyList<StorageTableView> Tables,
    [property: JsonPropertyName("rolledUpAt")] DateTime? RolledUpAt,
    [property: JsonPropertyName("lastRun")] MaintenanceResult? LastRun);

[JsonSourceGenerationOptions(Converters = [typeof(UtcIsoConverter)], PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ApiEnvelope<StorageView>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
