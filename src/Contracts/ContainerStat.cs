using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>One container's figures inside a <see cref="MonitorReport"/>, with the original wire names.</summary>
public sealed record ContainerStat
{
    [JsonPropertyName("engine_type")]
    public required string EngineType { get; init; }

    [JsonPropertyName("agent_id")]
    public required string AgentId { get; init; }

    /// <summary>The host the container runs on.</summary>
    [JsonPropertyName("node_name")]
    public required string NodeName { get; init; }

    /// <summary>Container name without the engine's leading '/'.</summary>
    [JsonPropertyName("container_name")]
    public required string ContainerName { get; init; }

    /// <summary>The engine's state word: running, exited, paused, restarting, created, dead, removing.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("con_get_datetime")]
    [JsonConverter(typeof(WireTimestampConverter))]
    public required DateTime SampledAt { get; init; }

    /// <summary>docker CLI formula; may exceed 100 on several cores.</summary>
    [JsonPropertyName("con_cpu_percent")]
    public required double CpuPercent { get; init; }

    /// <summary>Usage minus inactive file cache, MiB, two decimals (what <c>docker stats</c> shows).</summary>
    [JsonPropertyName("con_memory_usage")]
    public required double MemoryUsageMiB { get; init; }

    /// <summary>Usage / limit x 100; the limit is the host's total when none is set.</summary>
    [JsonPropertyName("con_memory_percent")]
    public required double MemoryPercent { get; init; }
}
