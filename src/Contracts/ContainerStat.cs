using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>One container's figures inside a <see cref="MonitorReport"/>, with the original wire names.</summary>
public sealed record ContainerStat
{
    /// <summary>Longest <c>image</c> the server keeps; an agent leaves a longer one out.</summary>
    public const int MaxImageLength = 512;

    /// <summary>Longest <c>container_id</c>: Docker's and Podman's are 64 hex digits.</summary>
    public const int MaxIdLength = 128;

    // The rules for container_id and image (here and in events), stated once: the server refuses a report that breaks
    // them, the agent leaves such a value out so one odd field never costs the report.

    public static bool IsValidId(string id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(char.IsAsciiLetterOrDigit);

    public static bool IsValidImage(string image) =>
        image is { Length: > 0 and <= MaxImageLength } && !image.Any(char.IsControl);

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

    // Added by StackScope; optional, so the seed's request and old agents stay valid (stored as NULL). Counters are
    // cumulative since the container started, with the meaning `docker stats` gives them (docs/wire-protocol.md).

    /// <summary>The engine's full container id.</summary>
    [JsonPropertyName("container_id")]
    public string? ContainerId { get; init; }

    /// <summary>The image as the container was created from it (name:tag, or an id).</summary>
    [JsonPropertyName("image")]
    public string? Image { get; init; }

    /// <summary>Bytes received, summed over the container's interfaces (loopback excluded, as Docker's stats).</summary>
    [JsonPropertyName("con_net_rx_bytes")]
    public long? NetRxBytes { get; init; }

    [JsonPropertyName("con_net_tx_bytes")]
    public long? NetTxBytes { get; init; }

    /// <summary>Bytes read from block devices (cgroup v1 blkio throttle "Read", v2 io.stat rbytes), summed over devices.</summary>
    [JsonPropertyName("con_block_read_bytes")]
    public long? BlockReadBytes { get; init; }

    [JsonPropertyName("con_block_write_bytes")]
    public long? BlockWriteBytes { get; init; }

    /// <summary>Processes and threads in the container's cgroup (pids.current).</summary>
    [JsonPropertyName("con_pids")]
    public long? Pids { get; init; }

    /// <summary>The limit <c>con_memory_percent</c> is a share of: the container's own, else the host's memory, in bytes.</summary>
    [JsonPropertyName("con_memory_limit")]
    public long? MemoryLimitBytes { get; init; }

    /// <summary>CPU time the container has used since it started, nanoseconds.</summary>
    [JsonPropertyName("con_cpu_usage_ns")]
    public long? CpuUsageNanos { get; init; }

    /// <summary><c>healthy</c>, <c>unhealthy</c> or <c>starting</c>; absent when the container has no health check.</summary>
    [JsonPropertyName("health")]
    public string? Health { get; init; }

    /// <summary>How often the engine restarted the container by its restart policy.</summary>
    [JsonPropertyName("restart_count")]
    public int? RestartCount { get; init; }

    /// <summary>The exit code of the container's last run (0 while it never exited).</summary>
    [JsonPropertyName("exit_code")]
    public int? ExitCode { get; init; }

    /// <summary>Whether the container's last run ended by the kernel's OOM killer.</summary>
    [JsonPropertyName("oom_killed")]
    public bool? OomKilled { get; init; }

    /// <summary>When the current (or last) run started, UTC; absent when it never ran.</summary>
    [JsonPropertyName("started_at")]
    [JsonConverter(typeof(WireTimestampConverter))]
    public DateTime? StartedAt { get; init; }

    /// <summary>The container's labels the agent forwards (<see cref="ContainerLabels"/>); absent when none.</summary>
    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>When the last run ended, UTC; absent when it never ended.</summary>
    [JsonPropertyName("finished_at")]
    [JsonConverter(typeof(WireTimestampConverter))]
    public DateTime? FinishedAt { get; init; }
}
