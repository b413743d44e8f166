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
    ];
}
