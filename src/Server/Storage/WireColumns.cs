namespace StackScope.Server.Storage;

/// <summary>
/// The original system's column lists (from its INSERT statements), plus the row's receive time.
/// Both providers insert in exactly this order.
/// </summary>
internal static class WireColumns
{
    public static readonly string[] Server =
    [
        "engine_type", "agent_id", "ser_cpu_count", "ser_cpu_percent", "ser_memory_total",
        "ser_memory_used", "ser_memory_percent", "ser_get_datetime", "received_at",
    ];

    public static readonly string[] Container =
    [
        "engine_type", "agent_id", "node_name", "container_name", "status", "con_cpu_percent",
        "con_memory_usage", "con_memory_percent", "con_get_datetime", "received_at",
    ];
}
