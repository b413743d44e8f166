using System.Text.Json.Serialization;

namespace StackScope.Agent.Engines.Docker;

// Engine API shapes (the fields the agent reads, nothing more); they stay inside the agent.

internal sealed record DockerContainerSummary(
    [property: JsonPropertyName("Id")] string Id,
    [property: JsonPropertyName("Names")] IReadOnlyList<string>? Names,
    [property: JsonPropertyName("State")] string? State)
{
    /// <summary>The image as the container was created from it.</summary>
    [JsonPropertyName("Image")]
    public string? Image { get; init; }

    /// <summary>"Up 5 minutes (healthy)", "Exited (3) 2 seconds ago": changes whenever inspect would tell something new.</summary>
    [JsonPropertyName("Status")]
    public string? Status { get; init; }

    [JsonPropertyName("Labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

internal sealed record DockerStats(
    [property: JsonPropertyName("cpu_stats")] DockerCpuStats? CpuStats,
    [property: JsonPropertyName("memory_stats")] DockerMemoryStats? MemoryStats)
{
    [JsonPropertyName("networks")]
    public IReadOnlyDictionary<string, DockerNetworkStats>? Networks { get; init; }

    [JsonPropertyName("blkio_stats")]
    public DockerBlkioStats? BlkioStats { get; init; }

    [JsonPropertyName("pids_stats")]
    public DockerPidsStats? PidsStats { get; init; }
}

internal sealed record DockerNetworkStats(
    [property: JsonPropertyName("rx_bytes")] long RxBytes,
    [property: JsonPropertyName("tx_bytes")] long TxBytes);

internal sealed record DockerBlkioStats(
    [property: JsonPropertyName("io_service_bytes_recursive")] IReadOnlyList<DockerBlkioEntry>? IoServiceBytesRecursive);

internal sealed record DockerBlkioEntry(
    [property: JsonPropertyName("op")] string? Op,
    [property: JsonPropertyName("value")] long Value);

internal sealed record DockerPidsStats(
    [property: JsonPropertyName("current")] long? Current);

internal sealed record DockerInspect(
    [property: JsonPropertyName("Id")] string Id,
    [property: JsonPropertyName("RestartCount")] int RestartCount,
    [property: JsonPropertyName("State")] DockerState? State,
    [property: JsonPropertyName("Config")] DockerConfig? Config);

internal sealed record DockerConfig(
    [property: JsonPropertyName("Image")] string? Image);

internal sealed record DockerState(
    [property: JsonPropertyName("Status")] string? Status,
    [property: JsonPropertyName("OOMKilled")] bool OomKilled,
    [property: JsonPropertyName("Pid")] int Pid,
    [property: JsonPropertyName("ExitCode")] int ExitCode,
    [property: JsonPropertyName("StartedAt")] string? StartedAt,
    [property: JsonPropertyName("FinishedAt")] string? FinishedAt,
    [property: JsonPropertyName("Health")] DockerHealth? Health);

internal sealed record DockerHealth(
    [property: JsonPropertyName("Status")] string? Status,
    [property: JsonPropertyName("Log")] IReadOnlyList<DockerHealthLog>? Log);

internal sealed record DockerHealthLog(
    [property: JsonPropertyName("End")] string? End,
    [property: JsonPropertyName("ExitCode")] int ExitCode);

/// <summary>One message of GET /events (the fields the agent reads).</summary>
internal sealed record DockerEvent(
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("Action")] string? Action,
    [property: JsonPropertyName("Actor")] DockerActor? Actor,
    [property: JsonPropertyName("timeNano")] long TimeNano);

internal sealed record DockerActor(
    [property: JsonPropertyName("ID")] string? Id,
    [property: JsonPropertyName("Attributes")] IReadOnlyDictionary<string, string>? Attributes);

internal sealed record DockerCpuStats(
    [property: JsonPropertyName("cpu_usage")] DockerCpuUsage? CpuUsage,
    [property: JsonPropertyName("system_cpu_usage")] ulong SystemCpuUsage,
    [property: JsonPropertyName("online_cpus")] int OnlineCpus);

internal sealed record DockerCpuUsage(
    [property: JsonPropertyName("total_usage")] ulong TotalUsage,
    [property: JsonPropertyName("percpu_usage")] IReadOnlyList<ulong>? PerCpuUsage);

internal sealed record DockerMemoryStats(
    [property: JsonPropertyName("usage")] ulong Usage,
    [property: JsonPropertyName("limit")] ulong Limit,
    [property: JsonPropertyName("stats")] IReadOnlyDictionary<string, ulong>? Stats);
