using StackScope.Contracts;

namespace StackScope.Server.Storage;

/// <summary>Where accepted reports are kept.</summary>
internal interface IReportWriter
{
    /// <summary>
    /// Stores every report's server row and container rows in one transaction: all or nothing.
    /// A report already stored (same agent and sample time) adds no rows.
    /// Synchronous: called only from the ingest writer's dedicated threads.
    /// Throws <see cref="StorageUnavailableException"/> when the database is away.
    /// </summary>
    void WriteBatch(IReadOnlyList<MonitorReport> reports, DateTime receivedAtUtc);
}
