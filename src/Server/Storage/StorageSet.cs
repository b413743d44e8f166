using StackScope.Server.Storage.MySql;
using StackScope.Server.Storage.Sqlite;

namespace StackScope.Server.Storage;

/// <summary>
/// The storage classes over one database, composed for the configured provider: the server registers them,
/// and the admin commands, tests and benchmarks build the same set without a host.
/// </summary>
internal sealed class StorageSet
{
    private StorageSet(SqlDatabase database, SqlDatabase reads, TimeProvider clock)
    {
        Database = database;
        Migrator = new SqlSchemaMigrator(database, clock);
        Reports = new SqlReportWriter(database);
        Queries = new SqlMetricQueries(reads);
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
        var database = new SqlDatabase(CreateDialect(options, workingDirectory));
        return new StorageSet(database, ReadsOf(options) ?? database, clock ?? TimeProvider.System);
    }

    /// <summary>The database the queries read, when it is not the one written (<see cref="StorageOptions.ReadConnectionString"/>).</summary>
    private static SqlDatabase? ReadsOf(StorageOptions options) =>
        options.ReadConnectionString.Trim().Length == 0 ? null
        : !string.Equals(options.Provider.Trim(), StorageProviders.MySql, StringComparison.OrdinalIgnoreCase)
            ? throw new InvalidOperationException("Storage:ReadConnectionString is for Storage:Provider 'mysql' only (SQLite is one file).")
        : options.ReadSyncWait is < -1 or > 15
            ? throw new InvalidOperationException("Storage:ReadSyncWait must be -1 (the server's setting) or 0-15 (wsrep_sync_wait).")
        : new SqlDatabase(new MySqlDialect(options.ReadConnectionString, options.ReadSyncWait >= 0 ? options.ReadSyncWait : null));

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
