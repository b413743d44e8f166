using StackScope.Server.Storage.MySql;
using StackScope.Server.Storage.Sqlite;

namespace StackScope.Server.Storage;

/// <summary>
/// The storage classes over one database, composed for the configured provider: the server registers them,
/// and the admin commands, tests and benchmarks build the same set without a host.
/// </summary>
internal sealed class StorageSet
{
    private StorageSet(SqlDatabase database, TimeProvider clock)
    {
        Database = database;
        Migrator = new SqlSchemaMigrator(database, clock);
        Reports = new SqlReportWriter(database);
        Queries = new SqlMetricQueries(database);
        Auth = new SqlAuthStore(database);
        Sessions = new SqlSessionStore(database);
        Alerts = new SqlAlertStore(database);
        Leases = new SqlLeaseStore(database);
        Retention = new SqlRetentionStore(database);
    }

    public SqlAlertStore Alerts { get; }

    public SqlLeaseStore Leases { get; }

    public SqlRetentionStore Retention { get; }

    public SqlDatabase Database { get; }

    public ISchemaMigrator Migrator { get; }

    public IReportWriter Reports { get; }

    public IMetricQueries Queries { get; }

    public IAuthStore Auth { get; }

    public ISessionStore Sessions { get; }

    /// <summary>Builds the configured set; an unknown provider stops the server at start with the key named.</summary>
    public static StorageSet Create(StorageOptions options, string workingDirectory, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new StorageSet(new SqlDatabase(CreateDialect(options, workingDirectory)), clock ?? TimeProvider.System);
    }

    private static SqlDialect CreateDialect(StorageOptions options, string workingDirectory) =>
        options.Provider.Trim().ToLowerInvariant() switch
        {
            StorageProviders.Sqlite => new SqliteDialect(
                options.ConnectionString.Length > 0
                    ? options.ConnectionString
                    : $"Data Source={Path.Combine(workingDirectory, "data", "stackscope.db")}"),
            StorageProviders.MySql when options.ConnectionString.Length == 0 =>
                throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is 'mysql'."),
            StorageProviders.MySql => new MySqlDialect(options.ConnectionString),
            _ => throw new InvalidOperationException(
                $"Storage:Provider '{options.Provider}' is not known; use '{StorageProviders.Sqlite}' or '{StorageProviders.MySql}'."),
        };
}
