namespace StackScope.Server.Storage;

internal sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary><c>sqlite</c> (default, embedded) or <c>mysql</c> (MySQL / MariaDB).</summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>Empty means the SQLite file <c>data/stackscope.db</c> under the content root.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// MySQL/MariaDB only: where the query API, the dashboard and /metrics read, e.g. a HAProxy port over the Galera
    /// nodes that are not the writer, so dashboards do not load it. Empty: they read where everything writes.
    /// </summary>
    public string ReadConnectionString { get; set; } = "";

    /// <summary>
    /// Galera's <c>wsrep_sync_wait</c> for the read connections: 1 (default) makes a read wait until its node has
    /// applied every write committed before it started, so a report answered 200 is seen by the next query; 0 reads
    /// what the node has (a fraction of a second behind); -1 leaves the server's setting (a MySQL without Galera).
    /// </summary>
    public int ReadSyncWait { get; set; } = 1;
}
