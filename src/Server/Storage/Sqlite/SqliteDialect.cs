using System.Data.Common;
using System.Globalization;
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
            // journal_mode is stored in the file; synchronous and busy_timeout are per connection.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
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
