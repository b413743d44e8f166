using System.Data.Common;

namespace StackScope.Server.Storage;

/// <summary>Daily RANGE partitions of the raw tables: made ahead of time, dropped whole once past retention.</summary>
internal interface IRawPartitions
{
    /// <summary>Adds the daily partitions <paramref name="table"/> lacks up to <paramref name="lastDay"/>; returns how many it added.</summary>
    Task<int> EnsureAheadAsync(DbConnection connection, string table, string column, DateTime lastDay, CancellationToken cancellationToken);

    /// <summary>Drops the partitions of <paramref name="table"/> that hold only rows before <paramref name="before"/> (a day); returns (partitions, rows).</summary>
    Task<(int Partitions, long Rows)> DropBeforeAsync(DbConnection connection, string table, DateTime before, CancellationToken cancellationToken);

    /// <summary>Names and upper bounds of the table's partitions, oldest first (the catch-all last, bound null).</summary>
    Task<IReadOnlyList<(string Name, DateTime? Before, long Rows)>> ListAsync(DbConnection connection, string table, CancellationToken cancellationToken);
}
