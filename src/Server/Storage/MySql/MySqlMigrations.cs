using System.Globalization;

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
        // Bearer tokens (only their secret's SHA-256) and dashboard users (only a PBKDF2 hash). live is 1 until
        // revoked, then NULL: the unique key allows one live token per subject and any number of revoked ones.
        new(3, "tokens and users",
        [
            """
            CREATE TABLE IF NOT EXISTS auth_token (
                token_id VARCHAR(16) NOT NULL,
                role VARCHAR(16) NOT NULL,
                subject VARCHAR(255) NOT NULL,
                secret_sha256 CHAR(64) NOT NULL,
                created_at DATETIME NOT NULL,
                revoked_at DATETIME NULL,
                live TINYINT NULL,
                PRIMARY KEY (token_id),
                UNIQUE KEY ux_auth_token_live (role, subject, live)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            """
            CREATE TABLE IF NOT EXISTS app_user (
                username VARCHAR(64) NOT NULL,
                password_hash VARCHAR(255) NOT NULL,
                created_at DATETIME NOT NULL,
                PRIMARY KEY (username)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ]),
        // The nodes each agent has reported containers from: a container's history and its existence check become
        // seeks on the container key (agent, node, name, time) instead of a scan of every row the agent sent.
        new(4, "nodes per agent",
        [
            """
            CREATE TABLE IF NOT EXISTS agent_node (
                agent_id VARCHAR(64) NOT NULL,
                node_name VARCHAR(255) NOT NULL,
                PRIMARY KEY (agent_id, node_name)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            "INSERT IGNORE INTO agent_node(agent_id, node_name) SELECT DISTINCT agent_id, node_name FROM container",
        ]),
        // Signed-in sessions, so sign-out, user removal and a password change end them on every server process.
        new(5, "sessions",
        [
            """
            CREATE TABLE IF NOT EXISTS auth_session (
                session_id CHAR(32) NOT NULL,
                username VARCHAR(64) NOT NULL,
                created_at DATETIME NOT NULL,
                PRIMARY KEY (session_id),
                KEY ix_auth_session_user (username)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ]),
        // Figures added by StackScope (docker stats' NET/BLOCK I/O and PIDS, lifecycle, host load, swap, network) as
        // NULL-able columns at the end, which MariaDB >= 10.3 and MySQL >= 8.0 add instantly (no table rebuild); one
        // ALTER per table, so each applies whole (no IF NOT EXISTS: MySQL has none for columns). File systems and
        // container events in tables of their own, keyed so a resent report stores each row once.
        new(6, "docker stats figures, lifecycle, file systems and container events",
        [
            """
            ALTER TABLE server
                ADD COLUMN ser_load_1 DOUBLE NULL,
                ADD COLUMN ser_load_5 DOUBLE NULL,
                ADD COLUMN ser_load_15 DOUBLE NULL,
                ADD COLUMN ser_uptime_seconds BIGINT NULL,
                ADD COLUMN ser_swap_total DOUBLE NULL,
                ADD COLUMN ser_swap_used DOUBLE NULL,
                ADD COLUMN ser_net_rx_bytes BIGINT NULL,
                ADD COLUMN ser_net_tx_bytes BIGINT NULL
            """,
            """
            ALTER TABLE container
                ADD COLUMN container_id VARCHAR(128) NULL,
                ADD COLUMN image VARCHAR(512) NULL,
                ADD COLUMN con_net_rx_bytes BIGINT NULL,
                ADD COLUMN con_net_tx_bytes BIGINT NULL,
                ADD COLUMN con_block_read_bytes BIGINT NULL,
                ADD COLUMN con_block_write_bytes BIGINT NULL,
                ADD COLUMN con_pids BIGINT NULL,
                ADD COLUMN con_memory_limit BIGINT NULL,
                ADD COLUMN con_cpu_usage_ns BIGINT NULL,
                ADD COLUMN health VARCHAR(16) NULL,
                ADD COLUMN restart_count INT NULL,
                ADD COLUMN exit_code INT NULL,
                ADD COLUMN oom_killed TINYINT NULL,
                ADD COLUMN started_at DATETIME NULL,
                ADD COLUMN finished_at DATETIME NULL
            """,
            """
            CREATE TABLE IF NOT EXISTS server_filesystem (
                agent_id VARCHAR(64) NOT NULL,
                ser_get_datetime DATETIME NOT NULL,
                mount_point VARCHAR(512) NOT NULL,
                fs_type VARCHAR(32) NOT NULL,
                total_bytes BIGINT NOT NULL,
                used_bytes BIGINT NOT NULL,
                received_at DATETIME NOT NULL,
                PRIMARY KEY (agent_id, ser_get_datetime, mount_point)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            """
            CREATE TABLE IF NOT EXISTS container_event (
                id BIGINT NOT NULL AUTO_INCREMENT,
                agent_id VARCHAR(64) NOT NULL,
                container_id VARCHAR(128) NOT NULL,
                container_name VARCHAR(255) NOT NULL,
                node_name VARCHAR(255) NOT NULL,
                action VARCHAR(16) NOT NULL,
                event_datetime DATETIME NOT NULL,
                time_nano BIGINT NOT NULL,
                source VARCHAR(16) NOT NULL,
                image VARCHAR(512) NULL,
                exit_code INT NULL,
                kill_signal INT NULL,
                health VARCHAR(16) NULL,
                received_at DATETIME NOT NULL,
                PRIMARY KEY (agent_id, container_id, action, time_nano),
                UNIQUE KEY ux_container_event_id (id),
                KEY ix_container_event_agent_time (agent_id, event_datetime),
                KEY ix_container_event_agent_name_time (agent_id, container_name, event_datetime)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ]),
            // Alerting: the admin role, container labels (rule scopes; an instant ADD COLUMN), the evaluator's work list
        // (server rows by arrival) and per-agent event cursor, a lease so one server process evaluates and sends, and
        // the alert tables.
        new(7, "alerts: admin role, container labels, lease, rules, channels, state, incidents, silences, outbox",
        [
            "ALTER TABLE app_user ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'reader'",
            "UPDATE app_user SET role = 'admin' WHERE username = 'admin'",
            "ALTER TABLE container ADD COLUMN labels TEXT NULL",
            "CREATE INDEX ix_server_received ON server(received_at, agent_id, ser_get_datetime)",
            "CREATE INDEX ix_container_event_agent_id ON container_event(agent_id, id)",
            "CREATE TABLE IF NOT EXISTS lease (name VARCHAR(64) NOT NULL PRIMARY KEY, holder VARCHAR(128) NOT NULL, expires_at DATETIME(3) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
            "CREATE TABLE IF NOT EXISTS alert_rule (name VARCHAR(64) NOT NULL PRIMARY KEY, definition TEXT NOT NULL, updated_at DATETIME NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
            "CREATE TABLE IF NOT EXISTS alert_channel (name VARCHAR(64) NOT NULL PRIMARY KEY, definition TEXT NOT NULL, updated_at DATETIME NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
            "CREATE TABLE IF NOT EXISTS alert_setting (name VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
            """
            CREATE TABLE IF NOT EXISTS alert_agent (
                agent_id VARCHAR(64) NOT NULL PRIMARY KEY,
                last_event_id BIGINT NOT NULL,
                last_sample_at DATETIME NOT NULL,
                last_received_at DATETIME NOT NULL,
                interval_seconds INT NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            "CREATE TABLE IF NOT EXISTS alert_state (rule_name VARCHAR(64) NOT NULL, target_key VARCHAR(700) NOT NULL, data TEXT NOT NULL, PRIMARY KEY (rule_name, target_key)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
            """
            CREATE TABLE IF NOT EXISTS alert_incident (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                rule_name VARCHAR(64) NOT NULL,
                target_key VARCHAR(700) NOT NULL,
                agent_id VARCHAR(64) NOT NULL,
                container_name VARCHAR(255) NULL,
                severity VARCHAR(16) NOT NULL,
                summary TEXT NOT NULL,
                started_at DATETIME NOT NULL,
                resolved_at DATETIME NULL,
                value DOUBLE NULL,
                peak DOUBLE NULL,
                backfilled TINYINT NOT NULL,
                flapping TINYINT NOT NULL,
                acked_by VARCHAR(64) NULL,
                acked_until DATETIME NULL,
                KEY ix_alert_incident_open (resolved_at, id),
                KEY ix_alert_incident_agent (agent_id, started_at)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            """
            CREATE TABLE IF NOT EXISTS alert_silence (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                agent_glob VARCHAR(255) NOT NULL,
                container_glob VARCHAR(255) NOT NULL,
                rule_glob VARCHAR(255) NOT NULL,
                starts_at DATETIME NOT NULL,
                ends_at DATETIME NOT NULL,
                reason VARCHAR(512) NOT NULL,
                created_by VARCHAR(64) NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
            """
            CREATE TABLE IF NOT EXISTS alert_outbox (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                channel VARCHAR(64) NOT NULL,
                notice MEDIUMTEXT NOT NULL,
                created_at DATETIME NOT NULL,
                attempts INT NOT NULL,
                next_attempt_at DATETIME NOT NULL,
                sent_at DATETIME NULL,
                last_error VARCHAR(1024) NULL,
                KEY ix_alert_outbox_pending (sent_at, channel, id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
            """,
        ]),
        // Retention. Raw tables become daily RANGE partitions so expiry is DROP PARTITION, not a DELETE
        // that grows with the table. MySQL wants the partition column in every unique key: the natural primary keys
        // have it; the surrogate ids' unique keys become plain keys (AUTO_INCREMENT still gives each row its own id,
        // ingest stays idempotent on the primary key). Converting an existing database: each ALTER ... PARTITION BY
        // copies its table once (measured in BENCHMARKS.md, "Retention"), with writes waiting meanwhile, so upgrade in
        // a quiet hour; every row before today lands in partition p_hist, which expiry empties by chunked deletes
        // until it lies wholly past retention and is dropped; the daily partitions ahead are made by the maintenance
        // job (pmax catches anything beyond them). Rollup tiers and the job's state live in tables of their own.
        new(8, "retention: daily partitions for raw tables, 5-minute and hour rollups, maintenance state",
        [
            "ALTER TABLE server DROP INDEX ux_server_id, ADD KEY ix_server_id (id)",
            "ALTER TABLE container DROP INDEX ux_container_id, ADD KEY ix_container_id (id)",
            Partitioned("server", "ser_get_datetime"),
            Partitioned("container", "con_get_datetime"),
            Partitioned("server_filesystem", "ser_get_datetime"),
            ServerTier("server_5m"),
            ServerTier("server_1h"),
            ContainerTier("container_5m"),
            ContainerTier("container_1h"),
            "CREATE TABLE IF NOT EXISTS maintenance_state (name VARCHAR(64) NOT NULL PRIMARY KEY, value VARCHAR(1024) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
        ]),
        // One agent may report several engines (Docker and Podman side by side): the report names them, and those it
        // could not read. Nullable columns at the end: MariaDB adds them in place, without rebuilding the table.
        new(9, "engines of a report",
        [
            "ALTER TABLE server ADD COLUMN engine_types VARCHAR(255) NULL, ADD COLUMN unread_engines VARCHAR(255) NULL",
        ]),
        // A silence made by acknowledging names its target exactly, each '*', '?' and '[' written as a one-character
        // set: up to three times the name's 255 characters. A notice no channel can ever take is parked, not retried.
        new(10, "silence patterns of escaped names, parked notices",
        [
            "ALTER TABLE alert_silence MODIFY agent_glob VARCHAR(1024) NOT NULL, MODIFY container_glob VARCHAR(1024) NOT NULL, MODIFY rule_glob VARCHAR(1024) NOT NULL",
            "ALTER TABLE alert_outbox ADD COLUMN parked_at DATETIME NULL",
        ]),
        new(11, "cookie protection keys shared by every server", [SharedKeys.MySqlTable]),
        new(12, "sign-in attempts counted across servers", [SqlSignInAttempts.MySqlTable]),
];

    // Today and the next days get partitions of their own at once, so pmax stays empty: the first maintenance run
    // then splits an empty pmax. With only p_hist and pmax, that run copied today's rows (everything from midnight to
    // the upgrade) out of pmax, holding every commit on a Galera cluster meanwhile (13.8 s measured).
    private static string Partitioned(string table, string column)
    {
        var today = DateTime.UtcNow.Date;
        var days = string.Concat(Enumerable.Range(0, DaysMadeWithPartitions).Select(d => today.AddDays(d)).Select(day =>
            string.Create(CultureInfo.InvariantCulture, $"PARTITION {MySqlPartitions.NameOf(day)} VALUES LESS THAN ('{day.AddDays(1):yyyy-MM-dd}'), ")));
        return $"ALTER TABLE {table} PARTITION BY RANGE COLUMNS({column}) (PARTITION {MySqlPartitions.History} VALUES LESS THAN " +
            $"('{today:yyyy-MM-dd}'), {days}PARTITION {MySqlPartitions.Future} VALUES LESS THAN (MAXVALUE))";
    }

    /// <summary>Today and three days ahead: what the maintenance job keeps by default (Retention:PartitionDaysAhead).</summary>
    public const int DaysMadeWithPartitions = 4;

    // Rollup rows: count, min, average and max of each figure over the bucket (bucket_start in seconds since the
    // epoch); counters (network, block I/O) as their largest value, as raw histories give them.
    private static string ServerTier(string table) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            agent_id VARCHAR(64) NOT NULL,
            bucket_start BIGINT NOT NULL,
            samples INT NOT NULL,
            cpu_count INT NOT NULL,
            cpu_min DOUBLE NOT NULL, cpu_avg DOUBLE NOT NULL, cpu_max DOUBLE NOT NULL,
            mem_total DOUBLE NOT NULL,
            mem_used_min DOUBLE NOT NULL, mem_used_avg DOUBLE NOT NULL, mem_used_max DOUBLE NOT NULL,
            mem_pct_min DOUBLE NOT NULL, mem_pct_avg DOUBLE NOT NULL, mem_pct_max DOUBLE NOT NULL,
            load1_min DOUBLE NULL, load1_avg DOUBLE NULL, load1_max DOUBLE NULL,
            net_rx_max BIGINT NULL, net_tx_max BIGINT NULL,
            last_sample_at DATETIME NOT NULL,
            PRIMARY KEY (agent_id, bucket_start)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
        """;

    private static string ContainerTier(string table) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            agent_id VARCHAR(64) NOT NULL,
            node_name VARCHAR(255) NOT NULL,
            container_name VARCHAR(255) NOT NULL,
            bucket_start BIGINT NOT NULL,
            samples INT NOT NULL,
            running_samples INT NOT NULL,
            last_status VARCHAR(32) NOT NULL,
            cpu_min DOUBLE NOT NULL, cpu_avg DOUBLE NOT NULL, cpu_max DOUBLE NOT NULL,
            mem_min DOUBLE NOT NULL, mem_avg DOUBLE NOT NULL, mem_max DOUBLE NOT NULL,
            mem_pct_min DOUBLE NOT NULL, mem_pct_avg DOUBLE NOT NULL, mem_pct_max DOUBLE NOT NULL,
            net_rx_max BIGINT NULL, net_tx_max BIGINT NULL, block_read_max BIGINT NULL, block_write_max BIGINT NULL,
            pids_min BIGINT NULL, pids_avg DOUBLE NULL, pids_max BIGINT NULL,
            restart_count_max INT NULL,
            last_sample_at DATETIME NOT NULL,
            PRIMARY KEY (agent_id, node_name, container_name, bucket_start),
            KEY ix_{table}_agent_bucket (agent_id, bucket_start)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
        """;
}
