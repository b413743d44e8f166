using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using StackScope.Contracts;

namespace StackScope.Server.Storage;

/// <summary>
/// What SQLite and MySQL/MariaDB share: versioned migrations and the batched, idempotent write path.
/// Subclasses supply the connection, the dialect's "skip duplicates" clause and how a time is bound.
/// The write path is synchronous on purpose: it runs on the ingest writer's own threads, where blocking
/// I/O does not wait in the thread-pool queue behind HTTP requests (which under load made each of a
/// batch's round trips 10x slower).
/// </summary>
internal abstract partial class SqlMetricStore : IMetricStore
{
    // Small enough that a statement's parameter list (about 2,000) stays off the large-object heap, whose
    // allocations force full GCs (seen as 1-2 gen2 GCs a second under load); large enough that a batch
    // needs few round trips.
    private const int RowsPerStatement = 200;

    private readonly ConcurrentDictionary<(string Table, int Rows), string> _insertSql = new();

    protected abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>Appended to every INSERT so a re-sent row is skipped, never duplicated nor an error.</summary>
    protected abstract string SkipDuplicatesClause { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    protected abstract DbConnection Open();

    /// <summary>Serializes concurrent migrators (several servers starting at once) where the database allows.</summary>
    protected virtual Task<IAsyncDisposable?> LockSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(null);

    protected abstract object ToDbTime(DateTime utc);

    public abstract bool IsUnavailable(Exception exception);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var schemaLock = await LockSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at VARCHAR(32) NOT NULL)",
                cancellationToken).ConfigureAwait(false);

            var applied = new HashSet<int>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT version FROM schema_version";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    applied.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            foreach (var migration in Migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                foreach (var statement in migration.Statements)
                {
                    await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                }

                await using (var record = connection.CreateCommand())
                {
                    record.Transaction = transaction;
                    record.CommandText = "INSERT INTO schema_version(version, name, applied_at) VALUES (@v, @n, @a)";
                    AddParameter(record, "@v", migration.Version);
                    AddParameter(record, "@n", migration.Name);
                    AddParameter(record, "@a", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (schemaLock is not null)
            {
                await schemaLock.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public void WriteBatch(IReadOnlyList<MonitorReport> reports, DateTime receivedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return;
        }

        var receivedAt = ToDbTime(receivedAtUtc);
        using var connection = Open();
        using var transaction = connection.BeginTransaction();

        InsertRows(connection, transaction, "server", WireColumns.Server, reports,
            (report, values) =>
            {
                values[0] = report.EngineType;
                values[1] = report.AgentId;
                values[2] = report.CpuCount;
                values[3] = report.CpuPercent;
                values[4] = report.MemoryTotalMiB;
                values[5] = report.MemoryUsedMiB;
                values[6] = report.MemoryPercent;
                values[7] = ToDbTime(report.SampledAt);
                values[8] = receivedAt;
            });

        InsertRows(connection, transaction, "container", WireColumns.Container,
            reports.SelectMany(r => r.Containers).ToList(),
            (container, values) =>
            {
                values[0] = container.EngineType;
                values[1] = container.AgentId;
                values[2] = container.NodeName;
                values[3] = container.ContainerName;
                values[4] = container.Status;
                values[5] = container.CpuPercent;
                values[6] = container.MemoryUsageMiB;
                values[7] = container.MemoryPercent;
                values[8] = ToDbTime(container.SampledAt);
                values[9] = receivedAt;
            });

        transaction.Commit();
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "SELECT 1", cancellationToken).ConfigureAwait(false);
    }

    private void InsertRows<T>(
        DbConnection connection, DbTransaction transaction, string table, string[] columns,
        IReadOnlyList<T> rows, Action<T, object[]> fill)
    {
        var values = new object[columns.Length];
        for (var start = 0; start < rows.Count; start += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, rows.Count - start);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = _insertSql.GetOrAdd((table, count), key => BuildInsert(key.Table, columns, key.Rows));
            var parameterIndex = 0;
            for (var row = start; row < start + count; row++)
            {
                fill(rows[row], values);
                foreach (var value in values)
                {
                    AddParameter(command, ParameterName(parameterIndex++), value);
                }
            }

            command.ExecuteNonQuery();
        }
    }

    private string BuildInsert(string table, string[] columns, int rows)
    {
        var sql = new StringBuilder(64 + (rows * columns.Length * 8));
        sql.Append("INSERT INTO ").Append(table).Append('(').AppendJoin(',', columns).Append(") VALUES ");
        var parameterIndex = 0;
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ",(");
            for (var column = 0; column < columns.Length; column++)
            {
                sql.Append(column == 0 ? "" : ",").Append(ParameterName(parameterIndex++));
            }

            sql.Append(')');
        }

        return sql.Append(SkipDuplicatesClause).ToString();
    }

    private static readonly string[] ParameterNames = Enumerable.Range(0, RowsPerStatement * 10)
        .Select(i => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string ParameterName(int index) => ParameterNames[index];

    protected static void AddParameter(DbCommand command, string name, object value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
