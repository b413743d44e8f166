using System.Text.Json.Serialization;

namespace StackScope.Server.Query;

// What the query API answers inside the envelope's "data". Names are camelCase like the envelope's own.

internal sealed record AgentView(
    [property: JsonPropertyName("agentId")] string AgentId,
    [property: JsonPropertyName("lastReportAt")] DateTime LastReportAt,
    [property: JsonPropertyName("online")] bool Online,
    [property: JsonPropertyName("intervalSeconds")] int IntervalSeconds,
    [property: JsonPropertyName("cpuCount")] int CpuCount,
    [property: JsonPropertyName("cpuPercent")] double CpuPercent,
    [property: JsonPropertyName("memoryTotalMiB")] double MemoryTotalMiB,
    [property: JsonPropertyName("memoryUsedMiB")] double MemoryUsedMiB,
    [property: JsonPropertyName("memoryPercent")] double MemoryPercent,
    [property: JsonPropertyName("containers")] IReadOnlyDictionary<string, int> ContainersByStatus,
    [property: JsonPropertyName("cpuTrend")] IReadOnlyList<double> CpuTrend)
{
    // The latest report's further host figures; null where the agent does not send them.
    [JsonPropertyName("load1")]
    public double? Load1 { get; init; }

    [JsonPropertyName("load5")]
    public double? Load5 { get; init; }

    [JsonPropertyName("load15")]
    public double? Load15 { get; init; }

    [JsonPropertyName("uptimeSeconds")]
    public long? UptimeSeconds { get; init; }

    [JsonPropertyName("swapTotalMiB")]
    public double? SwapTotalMiB { get; init; }

    [JsonPropertyName("swapUsedMiB")]
    public double? SwapUsedMiB { get; init; }

    [JsonPropertyName("netRxBytes")]
    public long? NetRxBytes { get; init; }

    [JsonPropertyName("netTxBytes")]
    public long? NetTxBytes { get; init; }
}

internal sealed record ContainerView(
    [property: JsonPropertyName("agentId")] string AgentId,
    [property: JsonPropertyName("nodeName")] string NodeName,
    [property: JsonPropertyName("containerName")] string ContainerName,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sampledAt")] DateTime SampledAt,
    [property: JsonPropertyName("cpuPercent")] double CpuPercent,
    [property: JsonPropertyName("memoryUsageMiB")] double MemoryUsageMiB,
    [property: JsonPropertyName("memoryPercent")] double MemoryPercent)
{
    // Null where the agent does not send them (the seed's, older agents) or the container is not running.
    /// <summary>The engine that runs it: docker or podman, or an engine a newer agent names.</summary>
    [JsonPropertyName("engineType")]
    public string EngineType { get; init; } = "";

    [JsonPropertyName("containerId")]
    public string? ContainerId { get; init; }

    [JsonPropertyName("image")]
    public string? Image { get; init; }

    [JsonPropertyName("netRxBytes")]
    public long? NetRxBytes { get; init; }

    [JsonPropertyName("netTxBytes")]
    public long? NetTxBytes { get; init; }

    [JsonPropertyName("blockReadBytes")]
    public long? BlockReadBytes { get; init; }

    [JsonPropertyName("blockWriteBytes")]
    public long? BlockWriteBytes { get; init; }

    [JsonPropertyName("pids")]
    public long? Pids { get; init; }

    [JsonPropertyName("memoryLimitBytes")]
    public long? MemoryLimitBytes { get; init; }

    [JsonPropertyName("cpuUsageNs")]
    public long? CpuUsageNanos { get; init; }

    [JsonPropertyName("health")]
    public string? Health { get; init; }

    [JsonPropertyName("restartCount")]
    public int? RestartCount { get; init; }

    [JsonPropertyName("exitCode")]
    public int? ExitCode { get; init; }

    [JsonPropertyName("oomKilled")]
    public bool? OomKilled { get; init; }

    [JsonPropertyName("startedAt")]
    public DateTime? StartedAt { get; init; }

    [JsonPropertyName("finishedAt")]
    public DateTime? FinishedAt { get; init; }

    /// <summary>The labels the agent forwarded (by default its stackscope.* ones, compose's project and service, Kubernetes' pod keys).</summary>
    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>A Kubernetes pod container's namespace (label io.kubernetes.pod.namespace); null for the others.</summary>
    [JsonPropertyName("namespace")]
    public string? Namespace => Labels?.GetValueOrDefault(Contracts.KubernetesLabels.Namespace);

    /// <summary>A Kubernetes pod container's pod (label io.kubernetes.pod.name); null for the others.</summary>
    [JsonPropertyName("pod")]
    public string? Pod => Labels?.GetValueOrDefault(Contracts.KubernetesLabels.Pod);
}
/// <summary>One bucket of a chart: its start (UTC), sample count, and average and maximum of each figure.</summary>
internal sealed record PointView(
    [property: JsonPropertyName("t")] DateTime Start,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("cpuAvg")] double CpuAvg,
    [property: JsonPropertyName("cpuMax")] double CpuMax,
    [property: JsonPropertyName("memoryAvg")] double MemoryAvg,
    [property: JsonPropertyName("memoryMax")] double MemoryMax,
    [property: JsonPropertyName("memoryPercentAvg")] double MemoryPercentAvg,
    [property: JsonPropertyName("memoryPercentMax")] double MemoryPercentMax,
    [property: JsonPropertyName("runningSamples")] int RunningSamples)
{
    /// <summary>Cumulative counters at their largest in the bucket; difference neighbours for a rate.</summary>
    [JsonPropertyName("netRxMax")]
    public double? NetRxMax { get; init; }

    [JsonPropertyName("netTxMax")]
    public double? NetTxMax { get; init; }

    [JsonPropertyName("blockReadMax")]
    public double? BlockReadMax { get; init; }

    [JsonPropertyName("blockWriteMax")]
    public double? BlockWriteMax { get; init; }

    [JsonPropertyName("pidsAvg")]
    public double? PidsAvg { get; init; }

    [JsonPropertyName("pidsMax")]
    public double? PidsMax { get; init; }

    [JsonPropertyName("load1Avg")]
    public double? Load1Avg { get; init; }

    [JsonPropertyName("load1Max")]
    public double? Load1Max { get; init; }

    /// <summary>When the bucket's newest sample was taken: a rate is the counters' difference over the difference of these.</summary>
    [JsonPropertyName("lastSampleAt")]
    public DateTime? LastSampleAt { get; init; }
}

internal sealed record HistoryView(
    [property: JsonPropertyName("from")] DateTime From,
    [property: JsonPropertyName("to")] DateTime To,
    [property: JsonPropertyName("stepSeconds")] int StepSeconds,
    [property: JsonPropertyName("points")] IReadOnlyList<PointView> Points)
{
    /// <summary>The tier that served the points: raw, 5m or 1h (the newest buckets come from raw rows until the next rollup).</summary>
    [JsonPropertyName("tier")]
    public string Tier { get; init; } = "raw";
}

internal sealed record FileSystemView(
    [property: JsonPropertyName("mountPoint")] string MountPoint,
    [property: JsonPropertyName("fsType")] string FsType,
    [property: JsonPropertyName("totalBytes")] long TotalBytes,
    [property: JsonPropertyName("usedBytes")] long UsedBytes,
    [property: JsonPropertyName("usedPercent")] double UsedPercent);

/// <summary>The file systems of an agent's latest report.</summary>
internal sealed record FileSystemsView(
    [property: JsonPropertyName("sampledAt")] DateTime SampledAt,
    [property: JsonPropertyName("fileSystems")] IReadOnlyList<FileSystemView> FileSystems);

internal sealed record EventView(
    [property: JsonPropertyName("containerId")] string ContainerId,
    [property: JsonPropertyName("containerName")] string ContainerName,
    [property: JsonPropertyName("nodeName")] string NodeName,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("timeNano")] long TimeNano,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("image")] string? Image,
    [property: JsonPropertyName("exitCode")] int? ExitCode,
    [property: JsonPropertyName("signal")] int? Signal,
    [property: JsonPropertyName("health")] string? Health);
