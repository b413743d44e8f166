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
        new("ser_load_1", r => r.Load1),
        new("ser_load_5", r => r.Load5),
        new("ser_load_15", r => r.Load15),
        new("ser_uptime_seconds", r => r.UptimeSeconds),
        new("ser_swap_total", r => r.SwapTotalMiB),
        new("ser_swap_used", r => r.SwapUsedMiB),
        new("ser_net_rx_bytes", r => r.NetRxBytes),
        new("ser_net_tx_bytes", r => r.NetTxBytes),
        // Lists of engine types (a few short words): one column each, comma-separated.
        new("engine_types", r => r.EngineTypes is { } types ? string.Join(',', types) : null),
        new("unread_engines", r => r.UnreadEngines is { Count: > 0 } unread ? string.Join(',', unread) : null),
    ];

    /// <summary>Lists of a report kept in tables of their own, one row per entry, keyed by the report's agent.</summary>
    public static readonly IReadOnlyList<string> OwnTables = ["container_stats", "ser_filesystems", "container_events"];

    /// <summary>Table <c>server_filesystem</c>: one row per file system of a report, keyed by (agent_id, ser_get_datetime, mount_point).</summary>
    public static readonly IReadOnlyList<StoredField<FileSystemStat>> FileSystem =
    [
        new("mount_point", f => f.MountPoint),
        new("fs_type", f => f.FsType),
        new("total_bytes", f => f.TotalBytes),
        new("used_bytes", f => f.UsedBytes),
    ];

    /// <summary>Table <c>container_event</c>, keyed by (agent_id, container_id, action, time_nano): a resent event is stored once.</summary>
    public static readonly IReadOnlyList<StoredField<ContainerEvent>> Event =
    [
        new("container_id", e => e.ContainerId),
        new("container_name", e => e.ContainerName),
        new("node_name", e => e.NodeName),
        new("action", e => e.Action),
        new("event_datetime", e => e.OccurredAt, IsTime: true),
        new("time_nano", e => e.TimeNano),
        new("source", e => e.Source),
        new("image", e => e.Image),
        new("exit_code", e => e.ExitCode),
        new("kill_signal", e => e.Signal),
        new("health", e => e.Health),
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
        new("container_id", c => c.ContainerId),
        new("image", c => c.Image),
        new("con_net_rx_bytes", c => c.NetRxBytes),
        new("con_net_tx_bytes", c => c.NetTxBytes),
        new("con_block_read_bytes", c => c.BlockReadBytes),
        new("con_block_write_bytes", c => c.BlockWriteBytes),
        new("con_pids", c => c.Pids),
        new("con_memory_limit", c => c.MemoryLimitBytes),
        new("con_cpu_usage_ns", c => c.CpuUsageNanos),
        new("health", c => c.Health),
        new("restart_count", c => c.RestartCount),
        new("exit_code", c => c.ExitCode),
        new("oom_killed", c => c.OomKilled),
        new("started_at", c => c.StartedAt, IsTime: true),
        new("finished_at", c => c.FinishedAt, IsTime: true),
        // One JSON object per row: labels are few (the agent forwards an allow-list) and read only with their row.
        new("labels", c => c.Labels is { Count: > 0 } labels
            ? System.Text.Json.JsonSerializer.Serialize(labels, ContractsJsonContext.Default.IReadOnlyDictionaryStringString)
            : null),
    ];
}
