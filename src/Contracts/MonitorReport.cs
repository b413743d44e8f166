using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>
/// One agent's report for one sampling instant: the host's figures and every container of its engines.
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

    // Added by StackScope; optional, so the seed's request and old agents stay valid (stored as NULL).

    /// <summary>/proc/loadavg: runnable and uninterruptible tasks averaged over 1, 5 and 15 minutes.</summary>
    [JsonPropertyName("ser_load_1")]
    public double? Load1 { get; init; }

    [JsonPropertyName("ser_load_5")]
    public double? Load5 { get; init; }

    [JsonPropertyName("ser_load_15")]
    public double? Load15 { get; init; }

    /// <summary>Whole seconds since boot (/proc/uptime).</summary>
    [JsonPropertyName("ser_uptime_seconds")]
    public long? UptimeSeconds { get; init; }

    /// <summary>SwapTotal in MiB (whole), as the memory figures.</summary>
    [JsonPropertyName("ser_swap_total")]
    public double? SwapTotalMiB { get; init; }

    /// <summary>SwapTotal - SwapFree in MiB (whole).</summary>
    [JsonPropertyName("ser_swap_used")]
    public double? SwapUsedMiB { get; init; }

    /// <summary>Bytes received since boot, summed over the host's interfaces except loopback.</summary>
    [JsonPropertyName("ser_net_rx_bytes")]
    public long? NetRxBytes { get; init; }

    [JsonPropertyName("ser_net_tx_bytes")]
    public long? NetTxBytes { get; init; }

    /// <summary>Each real mounted file system (node_exporter's default exclusions), at most <see cref="FileSystemStat.MaxPerReport"/>.</summary>
    [JsonPropertyName("ser_filesystems")]
    public IReadOnlyList<FileSystemStat>? FileSystems { get; init; }

    /// <summary>What happened to containers since the previous report, oldest first, at most <see cref="ContainerEvent.MaxPerReport"/>.</summary>
    [JsonPropertyName("container_events")]
    public IReadOnlyList<ContainerEvent>? Events { get; init; }

    /// <summary>
    /// Every engine the agent watched for this report, <see cref="EngineType"/> first, when it watches more than one
    /// (Docker and Podman side by side): each container then names its own. Absent: the one engine of <see cref="EngineType"/>.
    /// </summary>
    [JsonPropertyName("engine_types")]
    public IReadOnlyList<string>? EngineTypes { get; init; }

    /// <summary>The engines of this report that could not be read: their containers are missing from it, not gone.</summary>
    [JsonPropertyName("unread_engines")]
    public IReadOnlyList<string>? UnreadEngines { get; init; }
}
