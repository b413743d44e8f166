using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace StackScope.Server.Storage.Sqlite;

/// <summary>The embedded default: one file, WAL, full fsync on commit so an acknowledged report survives power loss.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";
    private readonly string _connectionString;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
        };
        if (builder.DataSource is { Length: > 0 } path && path != ":memory:")
        {
            OwnerOnly(Path.GetFullPath(path));
        }

        _connectionString = builder.ToString();
    }

    public override IReadOnlyList<Migration> Migrations => SqliteMigrations.All;

    /// <summary>
    /// The file holds password and token hashes: readable by the server's user only. SQLite gives its -wal and -shm
    /// files the database file's mode, so creating the (empty, valid) file 0600 first covers all three; a file
    /// left wider by an earlier version is narrowed.
    /// </summary>
    private static void OwnerOnly(string file)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var folder = Path.GetDirectoryName(file);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, ownerReadWrite | UnixFileMode.UserExecute);
        }

        if (!File.Exists(file))
        {
            using var created = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = ownerReadWrite,
            });
        }

        foreach (var existing in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
        {
            if ((File.GetUnixFileMode(existing) & ~ownerReadWrite) != 0)
            {
                File.SetUnixFileMode(existing, ownerReadWrite);
            }
        }
    }

    public override string SkipDuplicates(string anyColumn) => " ON CONFLICT DO NOTHING";

    public override string ContainerByTimeIndexHint => " INDEXED BY ix_container_agent_time";

    public override int DefaultWriterCount => 1;

    public override int? MaxConcurrentQueries => Math.Max(2, Environment.ProcessorCount);

    public override string BucketStart(string column) => $"(CAST(strftime('%s', {column}) AS INTEGER) / @step) * @step";

    // Times are TEXT in the wire's form: it sorts and compares correctly as text.
    public override string LastInsertId => "SELECT last_insert_rowid()";

    public override object ToDbTime(DateTime utc) => utc.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public override string EpochSeconds(string column) => $"CAST(strftime('%s', {column}) AS INTEGER)";

    // Both sides are INTEGER wherever this is used, and SQLite divides integers as integers.
    public override string IntegerDivide(string dividend, string divisor) => $"({dividend} / {divisor})";

    public override string ContainerByTimeRangesHint => "";

    public override string DeleteChunk(string table, string where, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {where} LIMIT {limit})");

    // Exact counts (SQLite keeps none) and the pages of each table and its indexes from the dbstat table.
    public override async Task<IReadOnlyDictionary<string, (long Rows, long Bytes)>> TableSizesAsync(DbConnection connection,
        IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var bytes = (await connection.QueryAsync<(string Table, long Bytes)>(new CommandDefinition(
            "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d JOIN sqlite_schema m ON m.name = d.name WHERE m.tbl_name IN @tables GROUP BY m.tbl_name",
            new { tables }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToDictionary(r => r.Table, r => r.Bytes, StringComparer.Ordinal);
        var sizes = new Dictionary<string, (long Rows, long Bytes)>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {table}", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            sizes[table] = (count, bytes.GetValueOrDefault(table));
        }

        return sizes;
    }

    /// <summary>Free pages back to the file system, 2,000 (8 MB) per transaction so a writer waits at most one step.</summary>
    public override async Task<long> ReclaimSpaceAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var pageSize = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA page_size", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var before = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA page_count", cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA auto_vacuum", cancellationToken: cancellationToken)).ConfigureAwait(false) != 2)
        {
            // A file made before incremental vacuum was on (or by an older version): switch it over once; VACUUM rewrites
            // the file, so this first time costs a full copy.
            await SqlDatabase.ExecuteAsync(connection, null, "PRAGMA auto_vacuum = INCREMENTAL", cancellationToken).ConfigureAwait(false);
            await SqlDatabase.ExecuteAsync(connection, null, "VACUUM", cancellationToken).ConfigureAwait(false);
        }

        for (long free = long.MaxValue, left; (left = await FreePagesAsync(connection, cancellationToken).ConfigureAwait(false)) > 0 && left < free; free = left)
        {
            await SqlDatabase.ExecuteAsync(connection, null, "PRAGMA incremental_vacuum(2000)", cancellationToken).ConfigureAwait(false);
        }

        var after = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA page_count", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (before - after) * pageSize;
    }

    private static Task<long> FreePagesAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA freelist_count", cancellationToken: cancellationToken));

    public override DateTime FromDbTime(object value) => value is string text
        ? DateTime.SpecifyKind(DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture), DateTimeKind.Utc)
        : throw new InvalidCastException($"SQLite time column held a {value?.GetType().Name}, not text");

    // Microsoft.Data.Sqlite's async methods complete synchronously anyway.
    public override Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => Task.FromResult(Open());

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            // journal_mode is stored in the file; synchronous and busy_timeout are per connection. auto_vacuum takes effect
            // only in a file without tables yet (a new one); an older file is switched by its first maintenance run.
            pragma.CommandText = "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // SQLITE_CONSTRAINT; the unique key is the only constraint the auth INSERTs can break.
    public override bool IsDuplicateKey(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    public override bool IsUnavailable(Exception exception) => exception switch
    {
        // Busy/locked, I/O, disk full, cannot open, read-only: the data was fine, the file was not.
        SqliteException { SqliteErrorCode: 5 or 6 or 10 or 13 or 14 or 8 } => true,
        IOException or UnauthorizedAccessException or TimeoutException => true,
        _ => false,
    };
}
