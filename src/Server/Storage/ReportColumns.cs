using StackScope.Contracts;

namespace StackScope.Server.Storage;

/// <summary>
/// The original system's columns (its INSERT statements), each stated once with the wire field it stores:
/// the column list, the insert order and the values all come from here. Columns carry the wire field's name,
/// so a test can hold every <c>JsonPropertyName</c> of the records against this list.
/// </summary>
internal static class ReportColumns
{
    public const string ReceivedAt = "received_at";

    public static readonly IReadOnlyList<StoredField<MonitorReport>> Server =
    [
        new("engine_type", r => r.EngineType),
        new("agent_id", r => r.AgentId),
        new("ser_cpu_count", r => r.CpuCount),
        new("ser_cpu_percent", r => r.CpuPercent),
        new("ser_memory_total", r => r.MemoryTotalMiB),
        new("ser_memory_used", r => r.MemoryUsedMiB),
        new("ser_memory_percent", r => r.MemoryPercent),
        new("ser_get_datetime", r => r.SampledAt, IsTime: true),
    ];

    public static readonly IReadOnlyList<StoredField<ContainerStat>> Container =
    [
        new("engine_type", c => c.EngineType),
        new("agent_id", c => c.AgentId),
        new("node_name", c => c.NodeName),
        new("container_name", c => c.ContainerName),
        new("status", c => c.Status),
        new("con_cpu_percent", c => c.CpuPercent),
        new("con_memory_usage", c => c.MemoryUsageMiB),
        new("con_memory_percent", c => c.MemoryPercent),
        new("con_get_datetime", c => c.SampledAt, IsTime: true),
    ];
}
