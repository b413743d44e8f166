using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>
/// What the maintenance job asks of storage: which buckets new (or late) reports touched, rollups of those buckets
/// from the tier below, chunked deletes, and the job's own state. Every rollup replaces whole bucket rows computed from
/// the rows below, so running one twice, or again after a crash, gives the same rows.
/// </summary>
internal sealed class SqlRetentionStore(SqlDatabase database)
{
    // Bounds on one rollup statement: its ranges' buckets (rows read back: buckets x containers) and rows per write
    // transaction, so neither memory nor a lock held against ingest grows with a backlog (SQLite has one writer).
    private const int BucketsPerStatement = 400;
    private const int RangesPerStatement = 100;
    private const int RowsPerInsert = 200;

    private SqlDialect Dialect => database.Dialect;

    public object ToDbTime(DateTime utc) => Dialect.ToDbTime(utc);

    public DateTime FromDbTime(object value) => Dialect.FromDbTime(value);

    // ---- the job's state ----

    public Task<IReadOnlyDictionary<string, string>> StateAsync(CancellationToken ct) =>
        database.RunAsync<IReadOnlyDictionary<string, string>>(async connection =>
            (await connection.QueryAsync<(string Name, string Value)>(new CommandDefinition("SELECT name, value FROM maintenance_state", cancellationToken: ct))
                .ConfigureAwait(false)).ToDictionary(r => r.Name, r => r.Value, StringComparer.Ordinal), ct);

    public Task SetStateAsync(string name, string value, CancellationToken ct) => database.RunAsync(async connection =>
    {
        // Portable upsert; one writer (the lease holder) sets these.
        var args = new { name, value };
        if (await connection.ExecuteAsync(new CommandDefinition("UPDATE maintenance_state SET value = @value WHERE name = @name", args, cancellationToken: ct))
                .ConfigureAwait(false) == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO maintenance_state(name, value) VALUES (@name, @value)", args, cancellationToken: ct))
                .ConfigureAwait(false);
        }
    }, ct);

    // ---- what to roll up ----

    /// <summary>Every agent with raw host rows.</summary>
    public Task<IReadOnlyList<string>> AgentsAsync(CancellationToken ct) => AgentsAsync("server", ct);

    /// <summary>Every agent with raw rows or hour rows: tiers and events outlive raw rows, so a silent agent is found in the hour tier.</summary>
    public async Task<IReadOnlyList<string>> AgentsWithHistoryAsync(string hourTable, CancellationToken ct) =>
        (await AgentsAsync(ct).ConfigureAwait(false)).Union(await AgentsAsync(hourTable, ct).ConfigureAwait(false), StringComparer.Ordinal).ToList();

    /// <summary>
    /// Every agent with rows in <paramref name="table"/> (one whose key leads with agent_id), by a loose index scan: one
    /// seek per agent, not a scan of the table.
    /// </summary>

    public Task<IReadOnlyList<string>> AgentsAsync(string table, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<string>>(async connection => (await connection.QueryAsync<string>(new CommandDefinition(
            $"WITH RECURSIVE a(id) AS (SELECT MIN(agent_id) FROM {table} UNION ALL " +
            $"SELECT (SELECT MIN(agent_id) FROM {table} WHERE agent_id > a.id) FROM a WHERE a.id IS NOT NULL) SELECT id FROM a WHERE id IS NOT NULL",
            cancellationToken: ct)).ConfigureAwait(false)).ToList(), ct);

    /// <summary>
    /// The (agent, bucket) pairs of reports stored between <paramref name="since"/> and <paramref name="until"/> by
    /// arrival (both included: arrival times are whole seconds): live reports and an agent's spool delivered late alike,
    /// read from the (received_at, agent, time) index.
    /// </summary>
    public Task<IReadOnlyList<(string AgentId, long Bucket)>> ArrivedBucketsAsync(DateTime since, DateTime until, int bucketSeconds, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<(string AgentId, long Bucket)>>(async connection =>
        {
            var bucket = $"{Dialect.IntegerDivide(Dialect.EpochSeconds("ser_get_datetime"), "@size")} * @size";
            return (await connection.QueryAsync<(string, long)>(new CommandDefinition(
                $"SELECT DISTINCT agent_id, {bucket} FROM server WHERE received_at >= @since AND received_at <= @until",
                new { since = Dialect.ToDbTime(since), until = Dialect.ToDbTime(until), size = bucketSeconds }, cancellationToken: ct))
                .ConfigureAwait(false)).ToList();
        }, ct);

    // ---- rollups ----

    /// <summary>Recomputes the 5-minute rows of host and containers over the agents' ranges (seconds since the epoch, end exclusive).</summary>
    public Task<int> RollUpRawAsync(IReadOnlyList<(string AgentId, long From, long To)> ranges, int bucketSeconds, string serverTable, string containerTable,
        CancellationToken ct) => RollUpAsync(ranges, async (connection, chunk, args, where) =>
    {
        var bucket = $"{Dialect.IntegerDivide(Dialect.EpochSeconds("{0}"), bucketSeconds.ToString(CultureInfo.InvariantCulture))} * {bucketSeconds}";
        var server = await CopyAsync(connection, serverTable, ServerTierColumns,
            $"SELECT g.agent_id, g.b, g.n, s.ser_cpu_count, g.cpu_min, g.cpu_avg, g.cpu_max, s.ser_memory_total, g.mu_min, g.mu_avg, g.mu_max, " +
            "g.mp_min, g.mp_avg, g.mp_max, g.l_min, g.l_avg, g.l_max, g.rx, g.tx, g.last_at FROM (" +
            $"SELECT agent_id, {string.Format(CultureInfo.InvariantCulture, bucket, "ser_get_datetime")} AS b, COUNT(*) AS n, " +
            "MIN(ser_cpu_percent) AS cpu_min, AVG(ser_cpu_percent) AS cpu_avg, MAX(ser_cpu_percent) AS cpu_max, " +
            "MIN(ser_memory_used) AS mu_min, AVG(ser_memory_used) AS mu_avg, MAX(ser_memory_used) AS mu_max, " +
            "MIN(ser_memory_percent) AS mp_min, AVG(ser_memory_percent) AS mp_avg, MAX(ser_memory_percent) AS mp_max, " +
            "MIN(ser_load_1) AS l_min, AVG(ser_load_1) AS l_avg, MAX(ser_load_1) AS l_max, MAX(ser_net_rx_bytes) AS rx, MAX(ser_net_tx_bytes) AS tx, " +
            $"MAX(ser_get_datetime) AS last_at FROM server WHERE {string.Format(CultureInfo.InvariantCulture, where, "ser_get_datetime")} GROUP BY agent_id, b) g " +
            "JOIN server s ON s.agent_id = g.agent_id AND s.ser_get_datetime = g.last_at", args, ct).ConfigureAwait(false);
        var containers = await CopyAsync(connection, containerTable, ContainerTierColumns,
            "SELECT g.agent_id, g.node_name, g.container_name, g.b, g.n, g.running, c.status, g.cpu_min, g.cpu_avg, g.cpu_max, g.m_min, g.m_avg, g.m_max, " +
            "g.mp_min, g.mp_avg, g.mp_max, g.rx, g.tx, g.br, g.bw, g.p_min, g.p_avg, g.p_max, g.rc, g.last_at FROM (" +
            $"SELECT agent_id, node_name, container_name, {string.Format(CultureInfo.InvariantCulture, bucket, "con_get_datetime")} AS b, COUNT(*) AS n, " +
            "SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running, " +
            "MIN(con_cpu_percent) AS cpu_min, AVG(con_cpu_percent) AS cpu_avg, MAX(con_cpu_percent) AS cpu_max, " +
            "MIN(con_memory_usage) AS m_min, AVG(con_memory_usage) AS m_avg, MAX(con_memory_usage) AS m_max, " +
            "MIN(con_memory_percent) AS mp_min, AVG(con_memory_percent) AS mp_avg, MAX(con_memory_percent) AS mp_max, " +
            "MAX(con_net_rx_bytes) AS rx, MAX(con_net_tx_bytes) AS tx, MAX(con_block_read_bytes) AS br, MAX(con_block_write_bytes) AS bw, " +
            "MIN(con_pids) AS p_min, AVG(con_pids) AS p_avg, MAX(con_pids) AS p_max, MAX(restart_count) AS rc, MAX(con_get_datetime) AS last_at " +
            $"FROM container{Dialect.ContainerByTimeRangesHint} WHERE {string.Format(CultureInfo.InvariantCulture, where, "con_get_datetime")} " +
            "GROUP BY agent_id, node_name, container_name, b) g " +
            "JOIN container c ON c.agent_id = g.agent_id AND c.node_name = g.node_name AND c.container_name = g.container_name AND c.con_get_datetime = g.last_at",
            args, ct).ConfigureAwait(false);
        return server + containers;
    }, bucketSeconds, timeIsEpoch: false, ct);

    /// <summary>Recomputes rows of a coarser tier from the finer tier's rows (averages weighted by their sample counts).</summary>
    public Task<int> RollUpTierAsync(IReadOnlyList<(string AgentId, long From, long To)> ranges, int bucketSeconds, RollupTables from, RollupTables to,
        CancellationToken ct) => RollUpAsync(ranges, async (connection, chunk, args, where) =>
    {
        var size = bucketSeconds.ToString(CultureInfo.InvariantCulture);
        var bucket = $"{Dialect.IntegerDivide("bucket_start", size)} * {size}";
        var inRanges = string.Format(CultureInfo.InvariantCulture, where, "bucket_start");
        var server = await CopyAsync(connection, to.Server, ServerTierColumns,
            "SELECT g.agent_id, g.b, g.n, s.cpu_count, g.cpu_min, g.cpu_avg, g.cpu_max, s.mem_total, g.mu_min, g.mu_avg, g.mu_max, " +
            "g.mp_min, g.mp_avg, g.mp_max, g.l_min, g.l_avg, g.l_max, g.rx, g.tx, g.last_at FROM (" +
            $"SELECT agent_id, {bucket} AS b, SUM(samples) AS n, " +
            $"MIN(cpu_min) AS cpu_min, {Weighted("cpu_avg")} AS cpu_avg, MAX(cpu_max) AS cpu_max, " +
            $"MIN(mem_used_min) AS mu_min, {Weighted("mem_used_avg")} AS mu_avg, MAX(mem_used_max) AS mu_max, " +
            $"MIN(mem_pct_min) AS mp_min, {Weighted("mem_pct_avg")} AS mp_avg, MAX(mem_pct_max) AS mp_max, " +
            $"MIN(load1_min) AS l_min, {Weighted("load1_avg")} AS l_avg, MAX(load1_max) AS l_max, MAX(net_rx_max) AS rx, MAX(net_tx_max) AS tx, " +
            $"MAX(last_sample_at) AS last_at FROM {from.Server} WHERE {inRanges} GROUP BY agent_id, b) g " +
            $"JOIN {from.Server} s ON s.agent_id = g.agent_id AND s.bucket_start >= g.b AND s.bucket_start < g.b + {size} AND s.last_sample_at = g.last_at",
            args, ct).ConfigureAwait(false);
        var containers = await CopyAsync(connection, to.Container, ContainerTierColumns,
            "SELECT g.agent_id, g.node_name, g.container_name, g.b, g.n, g.running, c.last_status, g.cpu_min, g.cpu_avg, g.cpu_max, g.m_min, g.m_avg, g.m_max, " +
            "g.mp_min, g.mp_avg, g.mp_max, g.rx, g.tx, g.br, g.bw, g.p_min, g.p_avg, g.p_max, g.rc, g.last_at FROM (" +
            $"SELECT agent_id, node_name, container_name, {bucket} AS b, SUM(samples) AS n, SUM(running_samples) AS running, " +
            $"MIN(cpu_min) AS cpu_min, {Weighted("cpu_avg")} AS cpu_avg, MAX(cpu_max) AS cpu_max, " +
            $"MIN(mem_min) AS m_min, {Weighted("mem_avg")} AS m_avg, MAX(mem_max) AS m_max, " +
            $"MIN(mem_pct_min) AS mp_min, {Weighted("mem_pct_avg")} AS mp_avg, MAX(mem_pct_max) AS mp_max, " +
            "MAX(net_rx_max) AS rx, MAX(net_tx_max) AS tx, MAX(block_read_max) AS br, MAX(block_write_max) AS bw, " +
            $"MIN(pids_min) AS p_min, {Weighted("pids_avg")} AS p_avg, MAX(pids_max) AS p_max, MAX(restart_count_max) AS rc, MAX(last_sample_at) AS last_at " +
            $"FROM {from.Container} WHERE {inRanges} GROUP BY agent_id, node_name, container_name, b) g " +
            $"JOIN {from.Container} c ON c.agent_id = g.agent_id AND c.node_name = g.node_name AND c.container_name = g.container_name " +
            $"AND c.bucket_start >= g.b AND c.bucket_start < g.b + {size} AND c.last_sample_at = g.last_at",
            args, ct).ConfigureAwait(false);
        return server + containers;
    }, bucketSeconds, timeIsEpoch: true, ct);

    // An average over finer rows is the average of their averages weighted by their samples (rows without the figure,
    // e.g. an older agent's, count for nothing).
    internal static string Weighted(string column) =>
        $"SUM({column} * samples) / SUM(CASE WHEN {column} IS NULL THEN 0 ELSE samples END)";

    private Task<int> RollUpAsync(IReadOnlyList<(string AgentId, long From, long To)> ranges,
        Func<DbConnection, IReadOnlyList<(string AgentId, long From, long To)>, DynamicParameters, string, Task<int>> work, int bucketSeconds, bool timeIsEpoch,
        CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            var written = 0;
            foreach (var chunk in Statements(ranges, bucketSeconds))
            {
                var args = new DynamicParameters();
                var where = new StringBuilder();
                for (var i = 0; i < chunk.Length; i++)
                {
                    var (agent, from, to) = chunk[i];
                    var n = i.ToString(CultureInfo.InvariantCulture);
                    args.Add("a" + n, agent);
                    args.Add("f" + n, timeIsEpoch ? from : Dialect.ToDbTime(DateTime.UnixEpoch.AddSeconds(from)));
                    args.Add("t" + n, timeIsEpoch ? to : Dialect.ToDbTime(DateTime.UnixEpoch.AddSeconds(to)));
                    where.Append(i == 0 ? "(" : " OR (").Append("agent_id = @a").Append(n).Append(" AND {0} >= @f").Append(n)
                        .Append(" AND {0} < @t").Append(n).Append(')');
                }

                written += await work(connection, chunk, args, where.ToString()).ConfigureAwait(false);
            }

            return written;
        }, ct);

    /// <summary>Ranges grouped into statements of at most <see cref="BucketsPerStatement"/> buckets (a longer range is split).</summary>
    private static IEnumerable<(string AgentId, long From, long To)[]> Statements(IReadOnlyList<(string AgentId, long From, long To)> ranges, int bucketSeconds)
    {
        var statement = new List<(string AgentId, long From, long To)>();
        long buckets = 0;
        var span = (long)BucketsPerStatement * bucketSeconds;
        foreach (var (agent, from, to) in ranges)
        {
            for (var start = from; start < to; start += span)
            {
                var end = Math.Min(to, start + span);
                var count = (end - start) / bucketSeconds;
                if (statement.Count > 0 && (buckets + count > BucketsPerStatement || statement.Count >= RangesPerStatement))
                {
                    yield return [.. statement];
                    statement.Clear();
                    buckets = 0;
                }

                statement.Add((agent, start, end));
                buckets += count;
            }
        }

        if (statement.Count > 0)
        {
            yield return [.. statement];
        }
    }

    /// <summary>
    /// Reads the aggregate rows, then replaces them into <paramref name="table"/>, <see cref="RowsPerInsert"/> rows per
    /// transaction: the read is a plain consistent read, so rolling up never locks the raw rows ingest writes next to,
    /// and each write is short (a half-written set is whole rows, and the next run replaces them again).
    /// </summary>
    private async Task<int> CopyAsync(DbConnection connection, string table, IReadOnlyList<string> columns, string select, DynamicParameters args, CancellationToken ct)
    {
        var rows = new List<object[]>();
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(select, args, cancellationToken: ct)).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var row = new object[columns.Count];
                reader.GetValues(row);
                rows.Add(row);
            }
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        // A transaction per RowsPerInsert rows (each write short), in statements of as many rows as the dialect's
        // parameters allow.
        var perStatement = Dialect.RowsPerStatement(columns.Count, RowsPerInsert);
        foreach (var chunk in rows.Chunk(RowsPerInsert))
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct).ConfigureAwait(false);
            foreach (var statementRows in chunk.Chunk(perStatement))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = MultiRowStatement.Build("REPLACE", table, columns, statementRows.Length).ToString();
                var p = 0;
                foreach (var value in statementRows.SelectMany(r => r))
                {
                    SqlDatabase.AddParameter(command, MultiRowStatement.ParameterName(p++), value);
                }

                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
            await Task.Delay(Dialect.WriterPause, ct).ConfigureAwait(false);
        }

        return rows.Count;
    }

    // ---- expiry ----

    /// <summary>Deletes up to <paramref name="limit"/> rows of one agent's (or, with agentId null, any) rows older than the cutoff.</summary>
    public Task<int> DeleteChunkAsync(string table, string where, object args, int limit, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition(Dialect.DeleteChunk(table, where, limit), args, cancellationToken: ct)).ConfigureAwait(false);
            if (deleted > 0)
            {
                await Task.Delay(Dialect.WriterPause, ct).ConfigureAwait(false);
            }

            return deleted;
        }, ct);

    public Task<(int Partitions, long Rows)> DropPartitionsBeforeAsync(string table, DateTime before, CancellationToken ct) =>
        Dialect.Partitions is { } partitions
            ? database.RunAsync(connection => partitions.DropBeforeAsync(connection, table, before, ct), ct)
            : Task.FromResult((0, 0L));

    public Task<int> EnsurePartitionsAsync(string table, string column, DateTime lastDay, CancellationToken ct) =>
        Dialect.Partitions is { } partitions
            ? database.RunAsync(connection => partitions.EnsureAheadAsync(connection, table, column, lastDay, ct), ct)
            : Task.FromResult(0);

    public Task<IReadOnlyList<(string Name, DateTime? Before, long Rows)>> PartitionsAsync(string table, CancellationToken ct) =>
        Dialect.Partitions is { } partitions
            ? database.RunAsync(connection => partitions.ListAsync(connection, table, ct), ct)
            : Task.FromResult<IReadOnlyList<(string Name, DateTime? Before, long Rows)>>([]);

    public Task<long> ReclaimSpaceAsync(CancellationToken ct) => database.RunAsync(connection => Dialect.ReclaimSpaceAsync(connection, ct), ct);

    public Task<IReadOnlyDictionary<string, (long Rows, long Bytes)>> TableSizesAsync(IReadOnlyList<string> tables, CancellationToken ct) =>
        database.RunAsync(connection => Dialect.TableSizesAsync(connection, tables, ct), ct);

    /// <summary>The oldest value of <paramref name="column"/> over every agent, one index seek per agent.</summary>
    public Task<object?> OldestAsync(string table, string column, IReadOnlyList<string> agents, CancellationToken ct) =>
        database.RunAsync<object?>(async connection =>
        {
            object? oldest = null;
            foreach (var agent in agents)
            {
                var value = await connection.ExecuteScalarAsync<object?>(new CommandDefinition(
                    $"SELECT MIN({column}) FROM {table} WHERE agent_id = @agent", new { agent }, cancellationToken: ct)).ConfigureAwait(false);
                if (value is not null and not DBNull && (oldest is null || Comparer<object>.Default.Compare(value, oldest) < 0))
                {
                    oldest = value;
                }
            }

            return oldest;
        }, ct);

    /// <summary>Rows of <paramref name="table"/> with <paramref name="column"/> at or after <paramref name="since"/>, counted per agent over its index.</summary>
    public Task<long> CountSinceAsync(string table, string column, object since, IReadOnlyList<string> agents, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            long total = 0;
            foreach (var agent in agents)
            {
                total += await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    $"SELECT COUNT(*) FROM {table} WHERE agent_id = @agent AND {column} >= @since", new { agent, since }, cancellationToken: ct)).ConfigureAwait(false);
            }

            return total;
        }, ct);

    public static readonly IReadOnlyList<string> ServerTierColumns =
    [
        "agent_id", "bucket_start", "samples", "cpu_count", "cpu_min", "cpu_avg", "cpu_max", "mem_total", "mem_used_min", "mem_used_avg", "mem_used_max",
        "mem_pct_min", "mem_pct_avg", "mem_pct_max", "load1_min", "load1_avg", "load1_max", "net_rx_max", "net_tx_max", "last_sample_at",
    ];

    public static readonly IReadOnlyList<string> ContainerTierColumns =
    [
        "agent_id", "node_name", "container_name", "bucket_start", "samples", "running_samples", "last_status", "cpu_min", "cpu_avg", "cpu_max",
        "mem_min", "mem_avg", "mem_max", "mem_pct_min", "mem_pct_avg", "mem_pct_max", "net_rx_max", "net_tx_max", "block_read_max", "block_write_max",
        "pids_min", "pids_avg", "pids_max", "restart_count_max", "last_sample_at",
    ];
}

/// <summary>A rollup tier's two tables.</summary>
internal sealed record RollupTables(string Server, string Container);
