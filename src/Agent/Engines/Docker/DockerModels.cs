using System.Text.Json.Serialization;

namespace StackScope.Agent.Engines.Docker;

// Engine API shapes (the fields the agent reads, nothing more); they stay inside the agent.

internal sealed record DockerContainerSummary(
    [property: JsonPropertyName("Id")] string Id,
    [property: JsonPropertyName("Names")] IReadOnlyList<string>? Names,
    [property: JsonPropertyName("State")] string? State);

internal sealed record DockerStats(
    [property: JsonPropertyName("cpu_stats")] DockerCpuStats? CpuStats,
    [property: JsonPropertyName("memory_stats")] DockerMemoryStats? MemoryStats);

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
