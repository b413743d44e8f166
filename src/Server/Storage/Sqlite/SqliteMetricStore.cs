using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace StackScope.Server.Storage.Sqlite;

/// <summary>The embedded default: one file, WAL, full fsync on commit so an acknowledged report survives power loss.</summary>
internal sealed class SqliteMetricStore : SqlMetricStore
{
    private readonly string _connectionString;

    public SqliteMetricStore(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
        };
        if (builder.DataSource is { Length: > 0 } path && path != ":memory:")
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        _connectionString = builder.ToString();
    }

    protected override IReadOnlyList<Migration> Migrations => SqliteMigrations.All;

    protected override string SkipDuplicatesClause => " ON CONFLICT DO NOTHING";

    protected override string ContainerByTimeIndexHint => " INDEXED BY ix_container_agent_time";

    protected override string BucketStart(string column) => $"(CAST(strftime('%s', {column}) AS INTEGER) / @step) * @step";

    // Microsoft.Data.Sqlite's async methods complete synchronously anyway.
    protected override Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => Task.FromResult(Open());

    protected override DbConnection Open()
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

    protected override object ToDbTime(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    // SQLITE_CONSTRAINT; the unique key is the only constraint the auth INSERTs can break.
    protected override bool IsDuplicateKey(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    public override bool IsUnavailable(Exception exception) => exception switch
    {
        // Busy/locked, I/O, disk full, cannot open, read-only: the data was fine, the file was not.
        SqliteException { SqliteErrorCode: 5 or 6 or 10 or 13 or 14 or 8 } => true,
        IOException or UnauthorizedAccessException or TimeoutException => true,
        _ => false,
    };
}
