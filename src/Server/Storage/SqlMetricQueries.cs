using System.Data.Common;
using System.Globalization;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>The read side over stored reports, the same SQL for both providers but for the dialect's fragments.</summary>
internal sealed class SqlMetricQueries(SqlDatabase database) : IMetricQueries
{
    private SqlDialect Dialect => database.Dialect;

    public Task<Page<AgentSnapshot>> FleetAsync(int offset, int limit, int recentRows, CancellationToken cancellationToken)
        => database.RunAsync<Page<AgentSnapshot>>(async connection =>
    {
        // MAX per group over the (agent_id, ser_get_datetime) index: one index dive per agent, not a history scan.
        const string latest = "(SELECT agent_id AS a, MAX(ser_get_datetime) AS t FROM server GROUP BY agent_id ORDER BY agent_id LIMIT @limit OFFSET @offset) l";
        var agents = (await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT a FROM {latest} ORDER BY a", new { limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM (SELECT agent_id FROM server GROUP BY agent_id) a", cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (agents.Count == 0)
        {
            return new Page<AgentSnapshot>([], total);
        }

        var counts = (await connection.QueryAsync<(string Agent, string Status, long Count)>(new CommandDefinition(
            $"SELECT container.agent_id, status, COUNT(*) FROM container{Dialect.ContainerByTimeIndexHint} JOIN {latest} ON container.agent_id = l.a AND container.con_get_datetime = l.t " +
            "GROUP BY container.agent_id, status ORDER BY container.agent_id, status",
            new { limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToLookup(r => r.Agent, r => new StatusCount(r.Status, (int)r.Count));

        // One statement per agent (each an index range of recentRows), sent together in a single round trip.
        var parameters = new DynamicParameters(new { count = recentRows });
        var sql = new System.Text.StringBuilder();
        for (var i = 0; i < agents.Count; i++)
        {
            parameters.Add("a" + i.ToString(CultureInfo.InvariantCulture), agents[i]);
            sql.Append(CultureInfo.InvariantCulture,
                $"SELECT ser_get_datetime, ser_cpu_count, ser_cpu_percent, ser_memory_total, ser_memory_used, ser_memory_percent FROM server WHERE agent_id = @a{i} ORDER BY ser_get_datetime DESC LIMIT @count;");
        }

        var snapshots = new List<AgentSnapshot>(agents.Count);
        await using (var results = await connection.QueryMultipleAsync(new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken))
            .ConfigureAwait(false))
        {
            foreach (var agent in agents)
            {
                var recent = (await results.ReadAsync<(object At, long Cpus, double Cpu, double Total, double Used, double Percent)>().ConfigureAwait(false))
                    .Select(r => new HostRow(Dialect.FromDbTime(r.At), (int)r.Cpus, r.Cpu, r.Total, r.Used, r.Percent)).ToList();
                snapshots.Add(new AgentSnapshot(agent, recent, counts[agent].ToList()));
            }
        }

        return new Page<AgentSnapshot>(snapshots, total);
    }, cancellationToken);

    public Task<IReadOnlyList<HostRow>> LatestHostRowsAsync(string agentId, int count, CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<HostRow>>(async connection =>
    {
        var rows = await connection.QueryAsync<(object At, long Cpus, double Cpu, double Total, double Used, double Percent)>(new CommandDefinition(
            "SELECT ser_get_datetime, ser_cpu_count, ser_cpu_percent, ser_memory_total, ser_memory_used, ser_memory_percent " +
            "FROM server WHERE agent_id = @agentId ORDER BY ser_get_datetime DESC LIMIT @count",
            new { agentId, count }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new HostRow(Dialect.FromDbTime(r.At), (int)r.Cpus, r.Cpu, r.Total, r.Used, r.Percent)).ToList();
    }, cancellationToken);

    public Task<IReadOnlyList<StatusCount>> StatusCountsAsync(string agentId, DateTime sampledAt, CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<StatusCount>>(async connection =>
    {
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM container WHERE agent_id = @agentId AND con_get_datetime = @at GROUP BY status ORDER BY status",
            new { agentId, at = Dialect.ToDbTime(sampledAt) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new StatusCount(r.Status, (int)r.Count)).ToList();
    }, cancellationToken);

    public Task<Page<ContainerRow>> ContainersAtAsync(string agentId, DateTime sampledAt, int offset, int limit, CancellationToken cancellationToken)
        => database.RunAsync<Page<ContainerRow>>(async connection =>
    {
        var parameters = new { agentId, at = Dialect.ToDbTime(sampledAt), offset, limit };
        var rows = await QueryContainersAsync(connection,
            "WHERE agent_id = @agentId AND con_get_datetime = @at ORDER BY container_name, node_name LIMIT @limit OFFSET @offset",
            parameters, cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM container WHERE agent_id = @agentId AND con_get_datetime = @at", parameters, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return new Page<ContainerRow>(rows, total);
    }, cancellationToken);

    public Task<IReadOnlyList<HistoryBucket>> HostHistoryAsync(string agentId, DateTime from, DateTime to, int stepSeconds,
        CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<HistoryBucket>>(async connection =>
    {
        return await HistoryAsync(connection,
            $"SELECT {Dialect.BucketStart("ser_get_datetime")} AS b, COUNT(*), AVG(ser_cpu_percent), MAX(ser_cpu_percent), AVG(ser_memory_used), " +
            "MAX(ser_memory_used), AVG(ser_memory_percent), MAX(ser_memory_percent), COUNT(*) " +
            "FROM server WHERE agent_id = @agentId AND ser_get_datetime >= @from AND ser_get_datetime <= @to GROUP BY b ORDER BY b",
            new { agentId, from = Dialect.ToDbTime(from), to = Dialect.ToDbTime(to), step = stepSeconds }, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    public Task<IReadOnlyList<HistoryBucket>?> ContainerHistoryAsync(string agentId, string containerName,
        DateTime from, DateTime to, int stepSeconds, CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<HistoryBucket>?>(async connection =>
    {
        // The container key leads with (agent_id, node_name, container_name, time): naming the agent's nodes (a seek on
        // agent_node) makes the existence check and the history index seeks and ranges, also for a name never seen.
        var nodes = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT node_name FROM agent_node WHERE agent_id = @agentId", new { agentId }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToList();
        if (nodes.Count == 0 || await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT 1 FROM container WHERE agent_id = @agentId AND node_name IN @nodes AND container_name = @containerName LIMIT 1",
                new { agentId, nodes, containerName }, cancellationToken: cancellationToken)).ConfigureAwait(false) is null)
        {
            return null;
        }

        return await HistoryAsync(connection,
            $"SELECT {Dialect.BucketStart("con_get_datetime")} AS b, COUNT(*), AVG(con_cpu_percent), MAX(con_cpu_percent), AVG(con_memory_usage), " +
            "MAX(con_memory_usage), AVG(con_memory_percent), MAX(con_memory_percent), SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) " +
            "FROM container WHERE agent_id = @agentId AND node_name IN @nodes AND container_name = @containerName " +
            "AND con_get_datetime >= @from AND con_get_datetime <= @to GROUP BY b ORDER BY b",
            new { agentId, nodes, containerName, from = Dialect.ToDbTime(from), to = Dialect.ToDbTime(to), step = stepSeconds }, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    public Task<Page<ContainerRow>> SearchLatestContainersAsync(string? nameContains, string? status, int offset, int limit, CancellationToken cancellationToken)
        => database.RunAsync<Page<ContainerRow>>(async connection =>
    {
        // Case-insensitive on both databases (SQLite's LIKE already is; MySQL's is not under utf8mb4_bin).
        var pattern = nameContains is null ? null : "%" + EscapeLike(nameContains.ToLowerInvariant()) + "%";
        var parameters = new { pattern, status, offset, limit };
        var latest = Dialect.ContainerByTimeIndexHint +
            " JOIN (SELECT agent_id AS a, MAX(ser_get_datetime) AS t FROM server GROUP BY agent_id) l ON container.agent_id = l.a AND container.con_get_datetime = l.t " +
            "WHERE (@pattern IS NULL OR LOWER(container_name) LIKE @pattern ESCAPE '!') AND (@status IS NULL OR status = @status)";
        var rows = await QueryContainersAsync(connection, latest + " ORDER BY agent_id, container_name, node_name LIMIT @limit OFFSET @offset",
            parameters, cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM container " + latest, parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<ContainerRow>(rows, total);
    }, cancellationToken);

    private static async Task<IReadOnlyList<HistoryBucket>> HistoryAsync(DbConnection connection, string sql, object parameters,
        CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Bucket, long Samples, double CpuAvg, double CpuMax, double MemAvg, double MemMax,
            double PctAvg, double PctMax, long Running)>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new HistoryBucket(DateTime.UnixEpoch.AddSeconds(r.Bucket), (int)r.Samples, r.CpuAvg, r.CpuMax, r.MemAvg, r.MemMax,
            r.PctAvg, r.PctMax, (int)r.Running)).ToList();
    }

    private async Task<IReadOnlyList<ContainerRow>> QueryContainersAsync(DbConnection connection, string tail, object parameters, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Agent, string Node, string Name, string Status, object At, double Cpu, double Mem, double Pct)>(
            new CommandDefinition(
                "SELECT agent_id, node_name, container_name, status, con_get_datetime, con_cpu_percent, con_memory_usage, con_memory_percent FROM container " + tail,
                parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new ContainerRow(r.Agent, r.Node, r.Name, r.Status, Dialect.FromDbTime(r.At), r.Cpu, r.Mem, r.Pct)).ToList();
    }

    private static string EscapeLike(string value) =>
        value.Replace("!", "!!", StringComparison.Ordinal).Replace("%", "!%", StringComparison.Ordinal).Replace("_", "!_", StringComparison.Ordinal);
}
