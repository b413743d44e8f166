using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Dapper;
using MySqlConnector;

namespace StackScope.Server.Storage.MySql;

/// <summary>MySQL / MariaDB through MySqlConnector's pooled, long-lived connections.</summary>
internal sealed class MySqlDialect : SqlDialect
{
    private readonly string _connectionString;
    private readonly string _serverOnlyConnectionString;
    private readonly string _database;
    private readonly string? _sessionSetup;

    /// <param name="connectionString">MySqlConnector's connection string.</param>
    /// <param name="syncWait">
    /// Galera's <c>wsrep_sync_wait</c> for every session, or null to leave the server's: reads on another node than the
    /// writer's then wait until that node has applied every write committed anywhere before they started.
    /// </param>
    public MySqlDialect(string connectionString, int? syncWait = null)
    {
        _sessionSetup = syncWait is { } wait ? string.Create(CultureInfo.InvariantCulture, $"SET SESSION wsrep_sync_wait = {wait}") : null;
        var builder = new MySqlConnectionStringBuilder(connectionString)
        {
            // DATETIME columns hold UTC; read them back as such.
            DateTimeKind = MySqlDateTimeKind.Utc,
            // For MySqlBulkLoader's LOAD DATA LOCAL INFILE from a stream; the client then sends only the stream it is given.
            AllowLoadLocalInfile = true,
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

    public override IReadOnlyList<Migration> Migrations => MySqlMigrations.All;

    // Set once the server refused a LOAD DATA LOCAL (local_infile off, MySQL 8's default): INSERTs from then on.
    private volatile bool _localFilesRefused;

    // The errors of a LOAD DATA LOCAL the server does not take: ER_NOT_ALLOWED_COMMAND (older servers),
    // ER_CLIENT_LOCAL_FILES_DISABLED (MySQL 8), ER_LOAD_INFILE_CAPABILITY_DISABLED (MariaDB 10.5 on; seen here).
    private static class LocalFilesRefused
    {
        public const int NotAllowed = 1148;
        public const int MySql = 3948;
        public const int MariaDb = 4166;
    }

    /// <summary>
    /// LOAD DATA LOCAL INFILE of the rows as tab-separated text (<see cref="TabSeparatedRows"/>). Against multi-row
    /// INSERTs, ss-server no longer builds a parameter per value nor MySqlConnector parses a statement of 2,000 of them,
    /// and MariaDB parses no VALUES lists: 4,271-4,634 -> 6,286-6,465 reports/s (BENCHMARKS.md). Duplicate keys are
    /// skipped (IGNORE), as the INSERTs' no-op update did. Where the server refuses local files, the INSERTs stay.
    /// </summary>
    public override bool TryBulkLoad(DbConnection connection, DbTransaction transaction, string table, StoredRows rows)
    {
        if (_localFilesRefused)
        {
            return false;
        }

        using var source = TabSeparatedRows.Write(rows);
        var loader = new MySqlBulkLoader((MySqlConnection)connection)
        {
            TableName = table,
            Local = true,
            SourceStream = source,
            CharacterSet = "utf8mb4",
            FieldTerminator = "\t",
            LineTerminator = "\n",
            EscapeCharacter = '\\',
            ConflictOption = MySqlBulkLoaderConflictOption.Ignore,
        };
        loader.Columns.AddRange(rows.Columns);

        try
        {
            loader.Load();
        }
        catch (MySqlException ex) when (ex.Number is LocalFilesRefused.NotAllowed or LocalFilesRefused.MySql or LocalFilesRefused.MariaDb)
        {
            // Off from the start or switched off since: the server refuses before it asks for the file, so nothing of
            // this load went in and the transaction goes on. Its rows, and every batch's after, are inserted.
            _localFilesRefused = true;
            return false;
        }

        return true;
    }

    public override string SkipDuplicates(string anyColumn) => $" ON DUPLICATE KEY UPDATE {anyColumn} = {anyColumn}";

    public override string ContainerByTimeIndexHint => " FORCE INDEX (ix_container_agent_time)";

    // Two loops keep one batch committing while the next is built and sent (measured in BENCHMARKS.md).
    public override int DefaultWriterCount => 2;

    // TIMESTAMPDIFF, not UNIX_TIMESTAMP: the latter reads DATETIME in the session's time zone.
    public override string BucketStart(string column) => $"(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {column}) DIV @step) * @step";

    public override string LastInsertId => "SELECT LAST_INSERT_ID()";

    public override string EpochSeconds(string column) => $"TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {column})";

    public override string IntegerDivide(string dividend, string divisor) => $"({dividend} DIV {divisor})";

    public override string ContainerByTimeRangesHint => ContainerByTimeIndexHint;

    public override string DeleteChunk(string table, string where, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE {where} LIMIT {limit}");

    public override IRawPartitions? Partitions { get; } = new MySqlPartitions();

    // information_schema's figures for InnoDB are estimates (TABLE_ROWS from index statistics): good for a storage page
    // and a size cap, never for counting.
    public override async Task<IReadOnlyDictionary<string, (long Rows, long Bytes)>> TableSizesAsync(DbConnection connection,
        IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Name, long Rows, long Bytes)>(new CommandDefinition(
            "SELECT TABLE_NAME, COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) FROM information_schema.TABLES " +
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN @tables", new { tables }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Name, r => (r.Rows, r.Bytes), StringComparer.Ordinal);
    }

    public override string DbTimeFromNow(string secondsParameter) => $"(UTC_TIMESTAMP(3) + INTERVAL {secondsParameter} SECOND)";

    public override object ToDbTime(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);

    public override DateTime FromDbTime(object value) => value is DateTime time
        ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
        : throw new InvalidCastException($"MySQL time column held a {value?.GetType().Name}, not DATETIME");

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new MySqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_sessionSetup is not null)
            {
                // Every open: a pooled connection's session is reset when it is handed back.
                await SqlDatabase.ExecuteAsync(connection, null, _sessionSetup, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.UnknownDatabase && _database.Length > 0)
        {
            // First start against an empty server: create the database, then connect to it.
            await connection.DisposeAsync().ConfigureAwait(false);
            await using (var server = new MySqlConnection(_serverOnlyConnectionString))
            {
                await server.OpenAsync(cancellationToken).ConfigureAwait(false);
                await SqlDatabase.ExecuteAsync(server, null,
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
            throw;
        }
    }

    public override DbConnection Open()
    {
        // The database exists once migrations ran, which always precede writes.
        var connection = new MySqlConnection(_connectionString);
        try
        {
            connection.Open();
            if (_sessionSetup is not null)
            {
                using var setup = connection.CreateCommand();
                setup.CommandText = _sessionSetup;
                setup.ExecuteNonQuery();
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override async Task<IAsyncDisposable?> LockSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await SchemaLockRow.AcquireAsync(connection, async ct => await OpenAsync(ct).ConfigureAwait(false), this, cancellationToken).ConfigureAwait(false);

    public override bool IsDuplicateKey(DbException exception) =>
        exception is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry };

    public override bool IsConflict(Exception exception) =>
        exception is MySqlException { ErrorCode: MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout };

    // Only failures that say the server is away or busy; anything else the ingest writer decides with a ping.
    public override bool IsUnavailable(Exception exception) => exception switch
    {
        // MySqlConnector calls a deadlock transient, but the database is there: the work is retried, the pool kept.
        _ when IsConflict(exception) => false,
        MySqlException { IsTransient: true } => true,
        // 1047: a Galera node that is not ready (joining, outside the primary component, rejecting queries).
        MySqlException
        {
            ErrorCode: MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.CommandTimeoutExpired
            or MySqlErrorCode.ServerShutdown or MySqlErrorCode.QueryInterrupted or MySqlErrorCode.ConnectionCountError
            or MySqlErrorCode.UnknownCommand
        } => true,
        SocketException or IOException or TimeoutException or MySqlEndOfStreamException => true,
        MySqlException { InnerException: { } inner } => IsUnavailable(inner),
        InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };

    // This store's pool only: another MySqlConnector user in the process keeps its connections.
    public override void ForgetIdleConnections()
    {
        using var connection = new MySqlConnection(_connectionString);
        MySqlConnection.ClearPool(connection);
    }

}
