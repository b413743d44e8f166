using System.Collections.Concurrent;
using System.Data.Common;
using StackScope.Contracts;

namespace StackScope.Server.Storage;

/// <summary>
/// The batched, idempotent write path. Synchronous on purpose: it runs on the ingest writer's own threads,
/// where blocking I/O does not wait in the thread-pool queue behind HTTP requests (which under load made
/// each of a batch's round trips 10x slower).
/// </summary>
internal sealed class SqlReportWriter(SqlDatabase database) : IReportWriter
{
    private const int RowsPerStatement = 200;

    // A report's lists kept in tables of their own carry the report's key in front of their own columns.
    private static readonly IReadOnlyList<StoredField<(MonitorReport Report, FileSystemStat Item)>> FileSystemRow =
        Keyed(ReportColumns.FileSystem, new StoredField<MonitorReport>("agent_id", r => r.AgentId),
            new StoredField<MonitorReport>("ser_get_datetime", r => r.SampledAt, IsTime: true));

    private static readonly IReadOnlyList<StoredField<(MonitorReport Report, ContainerEvent Item)>> EventRow =
        Keyed(ReportColumns.Event, new StoredField<MonitorReport>("agent_id", r => r.AgentId));

    // The batch's (agent, node) pairs, most of them known already; the table has no received_at.
    private static readonly IReadOnlyList<StoredField<(string AgentId, string NodeName)>> NodeRow =
    [
        new("agent_id", n => n.AgentId),
        new("node_name", n => n.NodeName),
    ];

    private readonly ConcurrentDictionary<(string Table, int Rows), string> _insertSql = new();

    // The (agent, node) pairs this process has committed. Nothing deletes agent_node rows, and nearly every batch's pairs
    // are known: skipping them saves the table's load in each batch (on MariaDB its round trips, and warnings for the
    // duplicates it skipped). Forgotten past the bound; a pair stored again is a duplicate the insert skips.
    private const int MaxStoredNodes = 200_000;
    private readonly ConcurrentDictionary<(string AgentId, string NodeName), byte> _storedNodes = new();

    public void WriteBatch(IReadOnlyList<MonitorReport> reports, DateTime receivedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return;
        }

        var receivedAt = database.Dialect.ToDbTime(receivedAtUtc);
        database.Run(connection => Insert(connection, reports, receivedAt));
    }

    private void Insert(DbConnection connection, IReadOnlyList<MonitorReport> reports, object receivedAt)
    {
        // Reports in key order: two transactions then lock the keys they share in the same order, which keeps
        // InnoDB's deadlocks (and SqlDatabase.Run's retries) rare. A report's containers keep the order it sent them in, as
        // the original's INSERTs did (their ids follow it); a resent report's rows come in that same order.
        using var transaction = connection.BeginTransaction();
        var ordered = reports.OrderBy(r => r.AgentId, StringComparer.Ordinal).ThenBy(r => r.SampledAt).ToList();
        InsertRows(connection, transaction, "server", ReportColumns.Server, ordered, receivedAt);
        var containers = ordered.SelectMany(r => r.Containers).ToList();
        InsertRows(connection, transaction, "container", ReportColumns.Container, containers, receivedAt);
        var nodes = containers.Select(c => (c.AgentId, c.NodeName)).Distinct().Where(n => !_storedNodes.ContainsKey(n)).ToList();
        InsertRows(connection, transaction, "agent_node", NodeRow, nodes, receivedAt: null);
        InsertRows(connection, transaction, "server_filesystem", FileSystemRow,
            ordered.SelectMany(r => r.FileSystems ?? [], (r, f) => (r, f)).ToList(), receivedAt);
        InsertRows(connection, transaction, "container_event", EventRow,
            ordered.SelectMany(r => r.Events ?? [], (r, e) => (r, e)).ToList(), receivedAt);
        transaction.Commit();
        // Only when a batch brought new pairs: a ConcurrentDictionary's Count takes all its locks.
        if (nodes.Count > 0)
        {
            if (_storedNodes.Count + nodes.Count > MaxStoredNodes)
            {
                _storedNodes.Clear();
            }

            foreach (var node in nodes)
            {
                _storedNodes.TryAdd(node, 0);
            }
        }
    }

    // receivedAt: the batch's arrival time for the table's received_at; null for a table without one (agent_node).
    private void InsertRows<T>(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<StoredField<T>> fields,
        IReadOnlyList<T> rows, object? receivedAt)
    {
        var dialect = database.Dialect;
        if (dialect.InsertsRowByRow)
        {
            InsertRowByRow(connection, transaction, table, fields, rows, receivedAt);
            return;
        }

        // A bulk load where the database has one: two round trips (the statement, then the rows it asks for), so not
        // for a single row.
        if (rows.Count > 1 && dialect.TryBulkLoad(connection, transaction, table, new StoredRows<T>(fields, rows, receivedAt, StoredValue)))
        {
            return;
        }

        var perStatement = dialect.RowsPerStatement(fields.Count + 1, RowsPerStatement);
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            var count = Math.Min(perStatement, rows.Count - start);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = _insertSql.GetOrAdd((table, count), key => BuildInsert(key.Table, fields, key.Rows, receivedAt is not null));
            var parameterIndex = 0;
            for (var row = start; row < start + count; row++)
            {
                foreach (var field in fields)
                {
                    SqlDatabase.AddParameter(command, MultiRowStatement.ParameterName(parameterIndex++), StoredValue(field, rows[row]));
                }

                if (receivedAt is not null)
                {
                    SqlDatabase.AddParameter(command, MultiRowStatement.ParameterName(parameterIndex++), receivedAt);
                }
            }

            command.ExecuteNonQuery();
        }
    }

    /// <summary>One statement per table, prepared once for the batch, its parameters' values set for each row.</summary>
    private void InsertRowByRow<T>(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<StoredField<T>> fields,
        IReadOnlyList<T> rows, object? receivedAt)
    {
        if (rows.Count == 0)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _insertSql.GetOrAdd((table, 1), key => BuildInsert(key.Table, fields, key.Rows, receivedAt is not null));
        for (var i = 0; i < fields.Count; i++)
        {
            SqlDatabase.AddParameter(command, MultiRowStatement.ParameterName(i), DBNull.Value);
        }

        if (receivedAt is not null)
        {
            SqlDatabase.AddParameter(command, MultiRowStatement.ParameterName(fields.Count), receivedAt);
        }

        command.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                command.Parameters[i].Value = StoredValue(fields[i], row);
            }

            command.ExecuteNonQuery();
        }
    }

    private object StoredValue<T>(StoredField<T> field, T row) => field.Value(row) switch
    {
        null => DBNull.Value,
        DateTime time when field.IsTime => database.Dialect.ToDbTime(time),
        var other => other,
    };

    private static StoredField<(MonitorReport Report, T Item)>[] Keyed<T>(IReadOnlyList<StoredField<T>> fields, params StoredField<MonitorReport>[] keys) =>
    [
        .. keys.Select(k => new StoredField<(MonitorReport Report, T Item)>(k.Column, row => k.Value(row.Report), k.IsTime)),
        .. fields.Select(f => new StoredField<(MonitorReport Report, T Item)>(f.Column, row => f.Value(row.Item), f.IsTime)),
    ];

    private string BuildInsert<T>(string table, IReadOnlyList<StoredField<T>> fields, int rows, bool withReceivedAt)
    {
        string[] columns = [.. fields.Select(f => f.Column), .. withReceivedAt ? [ReportColumns.ReceivedAt] : Array.Empty<string>()];
        // A duplicate row is left as it is: the no-op update names a column the table has.
        return MultiRowStatement.Build("INSERT", table, columns, rows)
            .Append(database.Dialect.SkipDuplicates(withReceivedAt ? ReportColumns.ReceivedAt : fields[0].Column)).ToString();
    }
}
