using StackScope.Contracts;

namespace StackScope.Server.Storage;

/// <summary>Where accepted reports are kept. One implementation per database, same behaviour.</summary>
internal interface IMetricStore
{
    /// <summary>Creates or upgrades the schema; running it again changes nothing.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores every report's server row and container rows in one transaction: all or nothing.
    /// A report already stored (same agent and sample time) adds no rows.
    /// Synchronous: called only from the ingest writer's dedicated threads.
    /// </summary>
    void WriteBatch(IReadOnlyList<MonitorReport> reports, DateTime receivedAtUtc);

    /// <summary>Round trip to the database; throws when it cannot be reached.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True when the failure says the database is away (connection refused, lost, timed out, locked):
    /// the caller answers 503 and the client retries. False when the failure alone does not tell; the
    /// writer then pings to decide between "database away" and "this data was refused".
    /// </summary>
    bool IsUnavailable(Exception exception);
}
