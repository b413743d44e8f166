using System.Text.Json;
using System.Text.Json.Serialization;

namespace StackScope.Server.Retention;

/// <summary>What one maintenance run did; stored as the last run's record and printed by <c>ss-server maintenance run</c>.</summary>
internal sealed class MaintenanceResult
{
    public DateTime StartedAt { get; set; }

    public double Seconds { get; set; }

    public int PartitionsAdded { get; set; }

    /// <summary>5-minute buckets (agent x bucket) recomputed because reports arrived in them since the last run.</summary>
    public int BucketsRolledUp { get; set; }

    public int FiveMinuteRows { get; set; }

    public int HourRows { get; set; }

    /// <summary>Buckets that late reports touched but whose raw rows had expired already: stored, not rolled up.</summary>
    public int LateBucketsSkipped { get; set; }

    public long RawRowsExpired { get; set; }

    public int PartitionsDropped { get; set; }

    public long RollupRowsExpired { get; set; }

    public long EventsExpired { get; set; }

    public long AlertRowsExpired { get; set; }

    public int DaysDroppedForCap { get; set; }

    public long BytesReclaimed { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, RetentionJsonContext.Default.MaintenanceResult);

    public static MaintenanceResult? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, RetentionJsonContext.Default.MaintenanceResult);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MaintenanceResult))]
internal sealed partial class RetentionJsonContext : JsonSerializerContext;
