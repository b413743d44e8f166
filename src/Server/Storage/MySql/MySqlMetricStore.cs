using System.Data.Common;
using System.Net.Sockets;
using MySqlConnector;

namespace StackScope.Server.Storage.MySql;

/// <summary>MySQL / MariaDB through MySqlConnector's pooled, long-lived connections.</summary>
internal sealed class MySqlMetricStore : SqlMetricStore
{
    private readonly string _connectionString;
    private readonly string _serverOnlyConnectionString;
    private readonly string _database;

    public MySqlMetricStore(string connectionString)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString)
        {
            // DATETIME columns hold UTC; read them back as such.
            DateTimeKind = MySqlDateTimeKind.Utc,
        };
        if (!builder.ContainsKey("Connection Timeout"))
        {
            // Fail fast when the database is away: the client is answered 503 and retries.
            builder.ConnectionTimeout = 5;
        }

        _database = builder.Database;
        _connectionString = builder.ConnectionString;
        builder.Database = "";
        _serverOnlyConnectionString = builder.ConnectionString;
    }

    protected override IReadOnlyList<Migration> Migrations => MySqlMigrations.All;

    protected override string SkipDuplicatesClause => " ON DUPLICATE KEY UPDATE id = id";

    protected override string ContainerByTimeIndexHint => " FORCE INDEX (ix_container_agent_time)";

    // TIMESTAMPDIFF, not UNIX_TIMESTAMP: the latter reads DATETIME in the session's time zone.
    protected override string BucketStart(string column) => $"(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {column}) DIV @step) * @step";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new MySqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.UnknownDatabase && _database.Length > 0)
        {
            // First start against an empty server: create the database, then connect to it.
            await connection.DisposeAsync().ConfigureAwait(false);
            await using (var server = new MySqlConnection(_serverOnlyConnectionString))
            {
                await server.OpenAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(server, null,
                    $"CREATE DATABASE IF NOT EXISTS `{_database.Replace("`", "``", StringComparison.Ordinal)}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                    cancellationToken).ConfigureAwait(false);
            }

            connection = new MySqlConnection(_connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            MySqlConnection.ClearAllPools();
            throw;
        }
    }

    protected override DbConnection Open()
    {
        // The database exists once migrations ran, which always precede writes.
        var connection = new MySqlConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            MySqlConnection.ClearAllPools();
            throw;
        }
    }

    protected override async Task<IAsyncDisposable?> LockSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, "DO GET_LOCK('stackscope_schema', 60)", cancellationToken).ConfigureAwait(false);
        return new SchemaLock(connection);
    }

    protected override object ToDbTime(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);

    protected override bool IsDuplicateKey(DbException exception) =>
        exception is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry };

    public override bool IsUnavailable(Exception exception)
    {
        // Only failures that say the server is away or busy; anything else is decided by the writer with a ping.
        var unavailable = exception switch
        {
            MySqlException { IsTransient: true } => true,
            MySqlException { ErrorCode: MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.CommandTimeoutExpired
                or MySqlErrorCode.ServerShutdown or MySqlErrorCode.QueryInterrupted or MySqlErrorCode.ConnectionCountError } => true,
            SocketException or IOException or TimeoutException or MySqlEndOfStreamException => true,
            MySqlException { InnerException: { } inner } => IsUnavailable(inner),
            InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
            _ => false,
        };
        if (unavailable)
        {
            // Connections in the pool may point at a server that has gone away; start afresh.
            MySqlConnection.ClearAllPools();
        }

        return unavailable;
    }

    private sealed class SchemaLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await ExecuteAsync(connection, null, "DO RELEASE_LOCK('stackscope_schema')", CancellationToken.None).ConfigureAwait(false);
    }
}
