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
    [property: JsonPropertyName("cpuTrend")] IReadOnlyList<double> CpuTrend);

internal sealed record ContainerView(
    [property: JsonPropertyName("agentId")] string AgentId,
    [property: JsonPropertyName("nodeName")] string NodeName,
    [property: JsonPropertyName("containerName")] string ContainerName,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sampledAt")] DateTime SampledAt,
    [property: JsonPropertyName("cpuPercent")] double CpuPercent,
    [property: JsonPropertyName("memoryUsageMiB")] double MemoryUsageMiB,
    [property: JsonPropertyName("memoryPercent")] double MemoryPercent);

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
    [property: JsonPropertyName("runningSamples")] int RunningSamples);

internal sealed record HistoryView(
    [property: JsonPropertyName("from")] DateTime From,
    [property: JsonPropertyName("to")] DateTime To,
    [property: JsonPropertyName("stepSeconds")] int StepSeconds,
    [property: JsonPropertyName("points")] IReadOnlyList<PointView> Points);
