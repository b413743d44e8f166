namespace StackScope.Server.Storage.MySql;

internal static class MySqlMigrations
{
    // utf8mb4_bin: container names are case-sensitive in every engine, so 'Web' and 'web' are two rows.
    // The natural key is the clustered primary key: one agent's (one container's) samples lie together in
    // time order, so a history is one contiguous range read instead of a lookup per row scattered across
    // the table (measured: a 24 h container chart over 8.6 M rows). The surrogate id stays, unique.
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "server and container tables",
        [
            """
            CREATE TABLE IF NOT EXISTS server (
                id BIGINT NOT NULL AUTO_INCREMENT,
                engine_type VARCHAR(16) NOT NULL,
                agent_id VARCHAR(64) NOT NULL,
                ser_cpu_count INT NOT NULL,
                ser_cpu_percent DOUBLE NOT NULL,
                ser_memory_total DOUBLE NOT NULL,
                ser_memory_used DOUBLE NOT NULL,
                ser_memory_percent DOUBLE NOT NULL,
                ser_get_datetime DATETIME NOT NULL,
                received_at DATETIME NOT NULL,
                PRIMARY KEY (agent_id, ser_get_datetime),
                UNIQUE KEY ux_server_id (id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            """
            CREATE TABLE IF NOT EXISTS container (
                id BIGINT NOT NULL AUTO_INCREMENT,
                engine_type VARCHAR(16) NOT NULL,
                agent_id VARCHAR(64) NOT NULL,
                node_name VARCHAR(255) NOT NULL,
                container_name VARCHAR(255) NOT NULL,
                status VARCHAR(32) NOT NULL,
                con_cpu_percent DOUBLE NOT NULL,
                con_memory_usage DOUBLE NOT NULL,
                con_memory_percent DOUBLE NOT NULL,
                con_get_datetime DATETIME NOT NULL,
                received_at DATETIME NOT NULL,
                PRIMARY KEY (agent_id, node_name, container_name, con_get_datetime),
                UNIQUE KEY ux_container_id (id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ]),
        // The containers of one report (latest-state views) without scanning the agent's history.
        new(2, "container lookup by agent and sample time",
        [
            "CREATE INDEX ix_container_agent_time ON container(agent_id, con_get_datetime)",
        ]),
    ];
}
