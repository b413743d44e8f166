namespace StackScope.Server.Storage.Sqlite;

internal static class SqliteMigrations
{
    // Times are TEXT in the wire's 'YYYY-MM-DD HH:MM:SS' form: it sorts and compares correctly as text.
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "server and container tables",
        [
            """
            CREATE TABLE server (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                engine_type TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                ser_cpu_count INTEGER NOT NULL,
                ser_cpu_percent REAL NOT NULL,
                ser_memory_total REAL NOT NULL,
                ser_memory_used REAL NOT NULL,
                ser_memory_percent REAL NOT NULL,
                ser_get_datetime TEXT NOT NULL,
                received_at TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX ux_server_agent_time ON server(agent_id, ser_get_datetime)",
            """
            CREATE TABLE container (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                engine_type TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                node_name TEXT NOT NULL,
                container_name TEXT NOT NULL,
                status TEXT NOT NULL,
                con_cpu_percent REAL NOT NULL,
                con_memory_usage REAL NOT NULL,
                con_memory_percent REAL NOT NULL,
                con_get_datetime TEXT NOT NULL,
                received_at TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX ux_container_agent_node_name_time ON container(agent_id, node_name, container_name, con_get_datetime)",
        ]),
        // The containers of one report (latest-state views) without scanning the agent's history.
        new(2, "container lookup by agent and sample time",
        [
            "CREATE INDEX ix_container_agent_time ON container(agent_id, con_get_datetime)",
        ]),
        // Bearer tokens (only their secret's SHA-256) and dashboard users (only a PBKDF2 hash). live is 1 until
        // revoked, then NULL: the unique key allows one live token per subject and any number of revoked ones.
        new(3, "tokens and users",
        [
            """
            CREATE TABLE auth_token (
                token_id TEXT NOT NULL PRIMARY KEY,
                role TEXT NOT NULL,
                subject TEXT NOT NULL,
                secret_sha256 TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT NULL,
                live INTEGER NULL
            )
            """,
            "CREATE UNIQUE INDEX ux_auth_token_live ON auth_token(role, subject, live)",
            """
            CREATE TABLE app_user (
                username TEXT NOT NULL PRIMARY KEY,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
        ]),
        // The nodes each agent has reported containers from: a container's history and its existence check become
        // seeks on the container key (agent, node, name, time) instead of a scan of every row the agent sent.
        new(4, "nodes per agent",
        [
            "CREATE TABLE agent_node (agent_id TEXT NOT NULL, node_name TEXT NOT NULL, PRIMARY KEY (agent_id, node_name))",
            "INSERT OR IGNORE INTO agent_node(agent_id, node_name) SELECT DISTINCT agent_id, node_name FROM container",
        ]),
        // Signed-in sessions, so sign-out, user removal and a password change end them on every server process.
        new(5, "sessions",
        [
            "CREATE TABLE auth_session (session_id TEXT NOT NULL PRIMARY KEY, username TEXT NOT NULL, created_at TEXT NOT NULL)",
            "CREATE INDEX ix_auth_session_user ON auth_session(username)",
        ]),
        // Figures added by StackScope (docker stats' NET/BLOCK I/O and PIDS, lifecycle, host load, swap, network) as
        // NULL-able columns, so rows of old agents and of the seed's request stay as they were; file systems and
        // container events in tables of their own, keyed so a resent report stores each row once.
        new(6, "docker stats figures, lifecycle, file systems and container events",
        [
            "ALTER TABLE server ADD COLUMN ser_load_1 REAL NULL",
            "ALTER TABLE server ADD COLUMN ser_load_5 REAL NULL",
            "ALTER TABLE server ADD COLUMN ser_load_15 REAL NULL",
            "ALTER TABLE server ADD COLUMN ser_uptime_seconds INTEGER NULL",
            "ALTER TABLE server ADD COLUMN ser_swap_total REAL NULL",
            "ALTER TABLE server ADD COLUMN ser_swap_used REAL NULL",
            "ALTER TABLE server ADD COLUMN ser_net_rx_bytes INTEGER NULL",
            "ALTER TABLE server ADD COLUMN ser_net_tx_bytes INTEGER NULL",
            "ALTER TABLE container ADD COLUMN container_id TEXT NULL",
            "ALTER TABLE container ADD COLUMN image TEXT NULL",
            "ALTER TABLE container ADD COLUMN con_net_rx_bytes INTEGER NULL",
            "ALTER TABLE container ADD COLUMN con_net_tx_bytes INTEGER NULL",
            "ALTER TABLE container ADD COLUMN con_block_read_bytes INTEGER NULL",
            "ALTER TABLE container ADD COLUMN con_block_write_bytes INTEGER NULL",
            "ALTER TABLE container ADD COLUMN con_pids INTEGER NULL",
            "ALTER TABLE container ADD COLUMN con_memory_limit INTEGER NULL",
            "ALTER TABLE container ADD COLUMN con_cpu_usage_ns INTEGER NULL",
            "ALTER TABLE container ADD COLUMN health TEXT NULL",
            "ALTER TABLE container ADD COLUMN restart_count INTEGER NULL",
            "ALTER TABLE container ADD COLUMN exit_code INTEGER NULL",
            "ALTER TABLE container ADD COLUMN oom_killed INTEGER NULL",
            "ALTER TABLE container ADD COLUMN started_at TEXT NULL",
            "ALTER TABLE container ADD COLUMN finished_at TEXT NULL",
            """
            CREATE TABLE server_filesystem (
                agent_id TEXT NOT NULL,
                ser_get_datetime TEXT NOT NULL,
                mount_point TEXT NOT NULL,
                fs_type TEXT NOT NULL,
                total_bytes INTEGER NOT NULL,
                used_bytes INTEGER NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (agent_id, ser_get_datetime, mount_point)
            )
            """,
            """
            CREATE TABLE container_event (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                agent_id TEXT NOT NULL,
                container_id TEXT NOT NULL,
                container_name TEXT NOT NULL,
                node_name TEXT NOT NULL,
                action TEXT NOT NULL,
                event_datetime TEXT NOT NULL,
                time_nano INTEGER NOT NULL,
                source TEXT NOT NULL,
                image TEXT NULL,
                exit_code INTEGER NULL,
                kill_signal INTEGER NULL,
                health TEXT NULL,
                received_at TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX ux_container_event_key ON container_event(agent_id, container_id, action, time_nano)",
            "CREATE INDEX ix_container_event_agent_time ON container_event(agent_id, event_datetime)",
            "CREATE INDEX ix_container_event_agent_name_time ON container_event(agent_id, container_name, event_datetime)",
        ]),
            // Alerting: the admin role, container labels (rule scopes), the evaluator's work list (server rows by arrival)
        // and per-agent event cursor, a lease so one server process evaluates and sends, and the alert tables.
        new(7, "alerts: admin role, container labels, lease, rules, channels, state, incidents, silences, outbox",
        [
            "ALTER TABLE app_user ADD COLUMN role TEXT NOT NULL DEFAULT 'reader'",
            // The user scripts/run.sh creates has always been the installation's administrator.
            "UPDATE app_user SET role = 'admin' WHERE username = 'admin'",
            "ALTER TABLE container ADD COLUMN labels TEXT NULL",
            "CREATE INDEX ix_server_received ON server(received_at, agent_id, ser_get_datetime)",
            "CREATE INDEX ix_container_event_agent_id ON container_event(agent_id, id)",
            "CREATE TABLE lease (name TEXT NOT NULL PRIMARY KEY, holder TEXT NOT NULL, expires_at TEXT NOT NULL)",
            "CREATE TABLE alert_rule (name TEXT NOT NULL PRIMARY KEY, definition TEXT NOT NULL, updated_at TEXT NOT NULL)",
            "CREATE TABLE alert_channel (name TEXT NOT NULL PRIMARY KEY, definition TEXT NOT NULL, updated_at TEXT NOT NULL)",
            "CREATE TABLE alert_setting (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE alert_agent (
                agent_id TEXT NOT NULL PRIMARY KEY,
                last_event_id INTEGER NOT NULL,
                last_sample_at TEXT NOT NULL,
                last_received_at TEXT NOT NULL,
                interval_seconds INTEGER NOT NULL
            )
            """,
            "CREATE TABLE alert_state (rule_name TEXT NOT NULL, target_key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (rule_name, target_key))",
            """
            CREATE TABLE alert_incident (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                rule_name TEXT NOT NULL,
                target_key TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                container_name TEXT NULL,
                severity TEXT NOT NULL,
                summary TEXT NOT NULL,
                started_at TEXT NOT NULL,
                resolved_at TEXT NULL,
                value REAL NULL,
                peak REAL NULL,
                backfilled INTEGER NOT NULL,
                flapping INTEGER NOT NULL,
                acked_by TEXT NULL,
                acked_until TEXT NULL
            )
            """,
            "CREATE INDEX ix_alert_incident_open ON alert_incident(resolved_at, id)",
            "CREATE INDEX ix_alert_incident_agent ON alert_incident(agent_id, started_at)",
            """
            CREATE TABLE alert_silence (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                agent_glob TEXT NOT NULL,
                container_glob TEXT NOT NULL,
                rule_glob TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE alert_outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                channel TEXT NOT NULL,
                notice TEXT NOT NULL,
                created_at TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at TEXT NOT NULL,
                sent_at TEXT NULL,
                last_error TEXT NULL
            )
            """,
            "CREATE INDEX ix_alert_outbox_pending ON alert_outbox(sent_at, channel, id)",
        ]),
        // Retention: rollup tiers and the maintenance job's state. Raw tables stay as they are; expiry
        // deletes them in bounded chunks over their (agent_id, time) indexes. The container tiers' (agent_id,
        // bucket_start) index serves the same per-agent chunks.
        new(8, "retention: 5-minute and hour rollups, maintenance state",
        [
            ServerTier("server_5m"),
            ServerTier("server_1h"),
            ContainerTier("container_5m"),
            "CREATE INDEX ix_container_5m_agent_bucket ON container_5m(agent_id, bucket_start)",
            ContainerTier("container_1h"),
            "CREATE INDEX ix_container_1h_agent_bucket ON container_1h(agent_id, bucket_start)",
            "CREATE TABLE maintenance_state (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
        ]),
        new(9, "engines of a report",
        [
            "ALTER TABLE server ADD COLUMN engine_types TEXT NULL",
            "ALTER TABLE server ADD COLUMN unread_engines TEXT NULL",
        ]),
        // A notice no channel can ever take is parked, not retried (SQLite's TEXT columns already hold escaped names).
        new(10, "parked notices",
        [
            "ALTER TABLE alert_outbox ADD COLUMN parked_at TEXT NULL",
        ]),
        new(11, "cookie protection keys shared by every server", [SharedKeys.SqliteTable]),
        new(12, "sign-in attempts counted across servers", SqlSignInAttempts.SqliteTable),
];

    private static string ServerTier(string table) => $"""
        CREATE TABLE {table} (
            agent_id TEXT NOT NULL,
            bucket_start INTEGER NOT NULL,
            samples INTEGER NOT NULL,
            cpu_count INTEGER NOT NULL,
            cpu_min REAL NOT NULL, cpu_avg REAL NOT NULL, cpu_max REAL NOT NULL,
            mem_total REAL NOT NULL,
            mem_used_min REAL NOT NULL, mem_used_avg REAL NOT NULL, mem_used_max REAL NOT NULL,
            mem_pct_min REAL NOT NULL, mem_pct_avg REAL NOT NULL, mem_pct_max REAL NOT NULL,
            load1_min REAL NULL, load1_avg REAL NULL, load1_max REAL NULL,
            net_rx_max INTEGER NULL, net_tx_max INTEGER NULL,
            last_sample_at TEXT NOT NULL,
            PRIMARY KEY (agent_id, bucket_start)
        )
        """;

    private static string ContainerTier(string table) => $"""
        CREATE TABLE {table} (
            agent_id TEXT NOT NULL,
            node_name TEXT NOT NULL,
            container_name TEXT NOT NULL,
            bucket_start INTEGER NOT NULL,
            samples INTEGER NOT NULL,
            running_samples INTEGER NOT NULL,
            last_status TEXT NOT NULL,
            cpu_min REAL NOT NULL, cpu_avg REAL NOT NULL, cpu_max REAL NOT NULL,
            mem_min REAL NOT NULL, mem_avg REAL NOT NULL, mem_max REAL NOT NULL,
            mem_pct_min REAL NOT NULL, mem_pct_avg REAL NOT NULL, mem_pct_max REAL NOT NULL,
            net_rx_max INTEGER NULL, net_tx_max INTEGER NULL, block_read_max INTEGER NULL, block_write_max INTEGER NULL,
            pids_min INTEGER NULL, pids_avg REAL NULL, pids_max INTEGER NULL,
            restart_count_max INTEGER NULL,
            last_sample_at TEXT NOT NULL,
            PRIMARY KEY (agent_id, node_name, container_name, bucket_start)
        )
        """;
}
