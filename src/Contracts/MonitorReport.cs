using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>
/// One agent's report for one sampling instant: the host's figures and every container of the engine.
/// Field names are the original system's wire names; they are only ever added to, never renamed.
/// </summary>
public sealed record MonitorReport
{
    [JsonPropertyName("engine_type")]
    public required string EngineType { get; init; }

    [JsonPropertyName("agent_id")]
    public required string AgentId { get; init; }

    /// <summary>Online CPUs of the host.</summary>
    [JsonPropertyName("ser_cpu_count")]
    public required int CpuCount { get; init; }

    /// <summary>Busy share of all CPUs since the previous sample, 0-100, two decimals.</summary>
    [JsonPropertyName("ser_cpu_percent")]
    public required double CpuPercent { get; init; }

    /// <summary>MemTotal in MiB.</summary>
    [JsonPropertyName("ser_memory_total")]
    public required double MemoryTotalMiB { get; init; }

    /// <summary>MemTotal - MemAvailable in MiB.</summary>
    [JsonPropertyName("ser_memory_used")]
    public required double MemoryUsedMiB { get; init; }

    [JsonPropertyName("ser_memory_percent")]
    public required double MemoryPercent { get; init; }

    /// <summary>Sampling instant, UTC, sent as <c>YYYY-MM-DD HH:MM:SS</c>.</summary>
    [JsonPropertyName("ser_get_datetime")]
    [JsonConverter(typeof(WireTimestampConverter))]
    public required DateTime SampledAt { get; init; }

    [JsonPropertyName("container_stats")]
    public required IReadOnlyList<ContainerStat> Containers { get; init; }
}
