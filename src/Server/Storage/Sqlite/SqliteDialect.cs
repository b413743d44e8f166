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
    private volatile bool _autoVacuumSet;

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

    public override bool InsertsRowByRow => true;

    public override int? MaxConcurrentQueries => Math.Max(2, Environment.ProcessorCount);

    public override string BucketStart(string column) => $"(CAST(strftime('%s', {column}) AS INTEGER) / @step) * @step";

    // Times are TEXT in the wire's form: it sorts and compares correctly as text.
    public override string LastInsertId => "SELECT last_insert_rowid()";

    // The stored text's own form, so times compare as text; one machine's clock, as every process shares the file.
    public override string DbTimeFromNow(string secondsParameter) => $"strftime('%Y-%m-%d %H:%M:%S', 'now', {secondsParameter} || ' seconds')";

    public override object ToDbTime(DateTime utc) => utc.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public override string EpochSeconds(string column) => $"CAST(strftime('%s', {column}) AS INTEGER)";

    // Both sides are INTEGER wherever this is used, and SQLite divides integers as integers.
    public override string IntegerDivide(string dividend, string divisor) => $"({dividend} / {divisor})";

    public override string ContainerByTimeRangesHint => "";

    public override TimeSpan WriterPause => TimeSpan.FromMilliseconds(30);

    /// <summary>
    /// SQLite finds a named parameter by a linear scan of the statement's names, when it parses the statement and again
    /// when Microsoft.Data.Sqlite binds each one by name: a statement's cost grows with the square of its parameters.
    /// At the rollup's 4,000-5,000 that scan was 91 % of a maintenance run's CPU (perf); a statement is no round trip
    /// here, so many small ones cost little (BENCHMARKS.md, "SQLite: statements of fewer parameters"). Ingest does not
    /// reach this: it inserts row by row.
    /// </summary>
    public override int ParametersPerStatement => 250;

    public override string DeleteChunk(string table, string where, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {where} LIMIT {limit})");

    // Exact counts (SQLite keeps none). Bytes are an estimate: the bundled SQLite has no dbstat table, so the file's
    // used pages are shared out by rows times each table's row width, sampled from its first rows.
    public override async Task<IReadOnlyDictionary<string, (long Rows, long Bytes)>> TableSizesAsync(DbConnection connection,
        IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var all = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var weights = new Dictionary<string, (long Rows, double Weight)>(StringComparer.Ordinal);
        foreach (var table in all)
        {
            var rows = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM \"{table}\"", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            weights[table] = (rows, rows * await RowWidthAsync(connection, table, cancellationToken).ConfigureAwait(false));
        }

        var pageSize = await PragmaAsync(connection, "page_size", cancellationToken).ConfigureAwait(false);
        var used = (await PragmaAsync(connection, "page_count", cancellationToken).ConfigureAwait(false)
            - await PragmaAsync(connection, "freelist_count", cancellationToken).ConfigureAwait(false)) * pageSize;
        var total = Math.Max(1, weights.Values.Sum(w => w.Weight));
        return tables.ToDictionary(t => t, t => weights.TryGetValue(t, out var w) ? (w.Rows, (long)(used * w.Weight / total)) : (0L, 0L), StringComparer.Ordinal);
    }

    // Bytes of a row as stored, roughly: its values' sizes plus a record header, sampled over up to 200 rows.
    private static async Task<double> RowWidthAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" LIMIT 200";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        long bytes = 0, rows = 0;
        var values = new object[reader.FieldCount];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.GetValues(values);
            bytes += 4 + values.Sum(v => v switch { string text => text.Length + 1, byte[] blob => blob.Length + 1, DBNull => 1, _ => 8 });
            rows++;
        }

        return rows == 0 ? 0 : bytes / (double)rows;
    }

    private static Task<long> PragmaAsync(DbConnection connection, string name, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA " + name, cancellationToken: cancellationToken));

    /// <summary>Free pages back to the file system, 2,000 (8 MB) per transaction so a writer waits at most one step.</summary>
    public override async Task<long> ReclaimSpaceAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var pageSize = await PragmaAsync(connection, "page_size", cancellationToken).ConfigureAwait(false);
        var before = await PragmaAsync(connection, "page_count", cancellationToken).ConfigureAwait(false);
        if (await PragmaAsync(connection, "auto_vacuum", cancellationToken).ConfigureAwait(false) != 2)
        {
            // A file made before incremental vacuum was on (or by an older version): switch it over once; VACUUM rewrites
            // the file, so this first time costs a full copy.
            await SqlDatabase.ExecuteAsync(connection, null, "PRAGMA auto_vacuum = INCREMENTAL", cancellationToken).ConfigureAwait(false);
            await SqlDatabase.ExecuteAsync(connection, null, "VACUUM", cancellationToken).ConfigureAwait(false);
        }

        for (long free = long.MaxValue, left; (left = await FreePagesAsync(connection, cancellationToken).ConfigureAwait(false)) > 0 && left < free; free = left)
        {
            await SqlDatabase.ExecuteAsync(connection, null, "PRAGMA incremental_vacuum(2000)", cancellationToken).ConfigureAwait(false);
            await Task.Delay(WriterPause, cancellationToken).ConfigureAwait(false);
        }

        var after = await PragmaAsync(connection, "page_count", cancellationToken).ConfigureAwait(false);
        return (before - after) * pageSize;
    }

    private static Task<long> FreePagesAsync(DbConnection connection, CancellationToken cancellationToken) => PragmaAsync(connection, "freelist_count", cancellationToken);

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
            // Setting auto_vacuum writes the first page even when the file has that mode already (the write lock, and
            // two fsyncs), so it runs on this process's first open only: on every open, each reader (a token check, a
            // query) waited behind a committing writer (BENCHMARKS.md, "SQLite: a connection's open no longer writes").
            // wal_autocheckpoint: the committing connection copies the WAL into the database once it holds this many pages
            // (default 1,000: 4 MB). Ingest rewrites the same index and table pages batch after batch, and a checkpoint
            // writes each once: 20,000 pages (about 80 MB of WAL) took ingest from 2,237-2,404 to 3,318 reports/s,
            // for longer pauses when one runs (BENCHMARKS.md, "SQLite ingest"). Commits stay durable (synchronous=FULL).
            pragma.CommandText = (_autoVacuumSet ? "" : "PRAGMA auto_vacuum=INCREMENTAL; ") +
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=20000;";
            pragma.ExecuteNonQuery();
            _autoVacuumSet = true;
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
