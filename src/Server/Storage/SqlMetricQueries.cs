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
                $"SELECT {HostColumns} FROM server WHERE agent_id = @a{i} ORDER BY ser_get_datetime DESC LIMIT @count;");
        }

        var snapshots = new List<AgentSnapshot>(agents.Count);
        await using (var results = await connection.QueryMultipleAsync(new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken))
            .ConfigureAwait(false))
        {
            foreach (var agent in agents)
            {
                var recent = (await results.ReadAsync<HostRecord>().ConfigureAwait(false)).Select(ToHostRow).ToList();
                snapshots.Add(new AgentSnapshot(agent, recent, counts[agent].ToList()));
            }
        }

        return new Page<AgentSnapshot>(snapshots, total);
    }, cancellationToken);

    public Task<IReadOnlyList<HostRow>> LatestHostRowsAsync(string agentId, int count, CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<HostRow>>(async connection =>
    {
        var rows = await connection.QueryAsync<HostRecord>(new CommandDefinition(
            $"SELECT {HostColumns} FROM server WHERE agent_id = @agentId ORDER BY ser_get_datetime DESC LIMIT @count",
            new { agentId, count }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(ToHostRow).ToList();
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

    public Task<IReadOnlyList<HistoryBucket>> HostHistoryAsync(string agentId, DateTime from, DateTime to, int stepSeconds, HistorySource source,
        CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<HistoryBucket>>(async connection =>
    {
        ArgumentNullException.ThrowIfNull(source);
        return await TieredAsync(connection, source, from, to, stepSeconds, new { agentId },
            tier => $"SELECT {TierBucket} AS b, CAST(SUM(samples) AS SIGNED) AS Samples, {SqlRetentionStore.Weighted("cpu_avg")} AS CpuAvg, MAX(cpu_max) AS CpuMax, " +
                $"{SqlRetentionStore.Weighted("mem_used_avg")} AS MemAvg, MAX(mem_used_max) AS MemMax, {SqlRetentionStore.Weighted("mem_pct_avg")} AS PctAvg, " +
                "MAX(mem_pct_max) AS PctMax, CAST(SUM(samples) AS SIGNED) AS Running, MAX(net_rx_max) AS NetRxMax, MAX(net_tx_max) AS NetTxMax, " +
                $"NULL AS BlockReadMax, NULL AS BlockWriteMax, NULL AS PidsAvg, NULL AS PidsMax, {SqlRetentionStore.Weighted("load1_avg")} AS Load1Avg, " +
                $"MAX(load1_max) AS Load1Max, MAX(last_sample_at) AS LastAt FROM {tier.Server} " +
                "WHERE agent_id = @agentId AND bucket_start >= @fromBucket AND bucket_start < @toBucket GROUP BY b ORDER BY b",
            $"SELECT {Dialect.BucketStart("ser_get_datetime")} AS b, COUNT(*) AS Samples, AVG(ser_cpu_percent) AS CpuAvg, MAX(ser_cpu_percent) AS CpuMax, " +
                "AVG(ser_memory_used) AS MemAvg, MAX(ser_memory_used) AS MemMax, AVG(ser_memory_percent) AS PctAvg, MAX(ser_memory_percent) AS PctMax, COUNT(*) AS Running, " +
                "MAX(ser_net_rx_bytes) AS NetRxMax, MAX(ser_net_tx_bytes) AS NetTxMax, NULL AS BlockReadMax, NULL AS BlockWriteMax, " +
                "NULL AS PidsAvg, NULL AS PidsMax, AVG(ser_load_1) AS Load1Avg, MAX(ser_load_1) AS Load1Max, MAX(ser_get_datetime) AS LastAt " +
                "FROM server WHERE agent_id = @agentId AND ser_get_datetime >= @from AND ser_get_datetime <= @to GROUP BY b ORDER BY b",
            rawFrom => new { agentId, from = Dialect.ToDbTime(rawFrom), to = Dialect.ToDbTime(to), step = stepSeconds }, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    /// <summary>
    /// A history from the source's tier (buckets before <see cref="HistorySource.RawFrom"/>) and raw rows (from there,
    /// or all of it without a tier), in time order, the step bucket on the edge merged from both.
    /// </summary>
    private async Task<IReadOnlyList<HistoryBucket>> TieredAsync(DbConnection connection, HistorySource source, DateTime from, DateTime to, int stepSeconds,
        object keys, Func<RollupTables, string> tierSql, string rawSql, Func<DateTime, object> rawArgs, CancellationToken cancellationToken)
    {
        var buckets = new List<HistoryBucket>();
        if (source.Tier is { } tier && from < source.RawFrom)
        {
            buckets.AddRange(await HistoryAsync(connection, tierSql(tier), TierArgs(keys, from, to, stepSeconds, source), cancellationToken).ConfigureAwait(false));
        }

        if (source.Tier is null || source.RawFrom <= to)
        {
            var rawFrom = source.Tier is null || source.RawFrom < from ? from : source.RawFrom;
            buckets.AddRange(await HistoryAsync(connection, rawSql, rawArgs(rawFrom), cancellationToken).ConfigureAwait(false));
        }

        return MergeEdge(buckets);
    }

    // Tier rows then raw rows, each in time order: where a step bucket spans the edge between them, one bucket of both.
    private static List<HistoryBucket> MergeEdge(List<HistoryBucket> buckets)
    {
        var merged = new List<HistoryBucket>(buckets.Count);
        foreach (var bucket in buckets)
        {
            if (merged.Count > 0 && merged[^1].Start == bucket.Start)
            {
                merged[^1] = merged[^1].Merge(bucket);
            }
            else
            {
                merged.Add(bucket);
            }
        }

        return merged;
    }

    // A step's bucket over rollup rows (bucket_start is seconds since the epoch).
    private string TierBucket => $"{Dialect.IntegerDivide("bucket_start", "@step")} * @step";

    /// <summary>
    /// The tier's rows from the bucket holding <paramref name="from"/> to the first raw bucket (or past <paramref name="to"/>);
    /// the raw side starts at <see cref="HistorySource.RawFrom"/>, a tier bucket's start, so no sample is read twice.
    /// </summary>
    private static DynamicParameters TierArgs(object keys, DateTime from, DateTime to, int stepSeconds, HistorySource source)
    {
        var args = new DynamicParameters(keys);
        var fromSeconds = (long)(from - DateTime.UnixEpoch).TotalSeconds;
        var end = source.RawFrom <= to ? source.RawFrom : to;
        args.Add("fromBucket", fromSeconds - (fromSeconds % source.TierBucketSeconds));
        args.Add("toBucket", (long)(end - DateTime.UnixEpoch).TotalSeconds + (source.RawFrom <= to ? 0 : 1));
        args.Add("step", stepSeconds);
        return args;
    }

    public Task<IReadOnlyList<HistoryBucket>?> ContainerHistoryAsync(string agentId, string containerName,
        DateTime from, DateTime to, int stepSeconds, HistorySource source, CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<HistoryBucket>?>(async connection =>
    {
        ArgumentNullException.ThrowIfNull(source);
        // The container key leads with (agent_id, node_name, container_name, time): naming the agent's nodes (a seek on
        // agent_node) makes the existence check and the history index seeks and ranges, also for a name never seen.
        var nodes = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT node_name FROM agent_node WHERE agent_id = @agentId", new { agentId }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToList();
        if (nodes.Count == 0 || (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT 1 FROM container WHERE agent_id = @agentId AND node_name IN @nodes AND container_name = @containerName LIMIT 1",
                new { agentId, nodes, containerName }, cancellationToken: cancellationToken)).ConfigureAwait(false) is null
            && (source.Tier is null || await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"SELECT 1 FROM {source.Tier.Container} WHERE agent_id = @agentId AND node_name IN @nodes AND container_name = @containerName LIMIT 1",
                new { agentId, nodes, containerName }, cancellationToken: cancellationToken)).ConfigureAwait(false) is null)))
        {
            return null;
        }

        return await TieredAsync(connection, source, from, to, stepSeconds, new { agentId, nodes, containerName },
            tier => $"SELECT {TierBucket} AS b, CAST(SUM(samples) AS SIGNED) AS Samples, {SqlRetentionStore.Weighted("cpu_avg")} AS CpuAvg, MAX(cpu_max) AS CpuMax, " +
                $"{SqlRetentionStore.Weighted("mem_avg")} AS MemAvg, MAX(mem_max) AS MemMax, {SqlRetentionStore.Weighted("mem_pct_avg")} AS PctAvg, " +
                "MAX(mem_pct_max) AS PctMax, CAST(SUM(running_samples) AS SIGNED) AS Running, MAX(net_rx_max) AS NetRxMax, MAX(net_tx_max) AS NetTxMax, " +
                $"MAX(block_read_max) AS BlockReadMax, MAX(block_write_max) AS BlockWriteMax, {SqlRetentionStore.Weighted("pids_avg")} AS PidsAvg, " +
                $"MAX(pids_max) AS PidsMax, NULL AS Load1Avg, NULL AS Load1Max, MAX(last_sample_at) AS LastAt FROM {tier.Container} " +
                "WHERE agent_id = @agentId AND node_name IN @nodes AND container_name = @containerName AND bucket_start >= @fromBucket AND bucket_start < @toBucket " +
                "GROUP BY b ORDER BY b",
            $"SELECT {Dialect.BucketStart("con_get_datetime")} AS b, COUNT(*) AS Samples, AVG(con_cpu_percent) AS CpuAvg, MAX(con_cpu_percent) AS CpuMax, " +
                "AVG(con_memory_usage) AS MemAvg, MAX(con_memory_usage) AS MemMax, AVG(con_memory_percent) AS PctAvg, MAX(con_memory_percent) AS PctMax, " +
                "SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS Running, " +
                "MAX(con_net_rx_bytes) AS NetRxMax, MAX(con_net_tx_bytes) AS NetTxMax, MAX(con_block_read_bytes) AS BlockReadMax, " +
                "MAX(con_block_write_bytes) AS BlockWriteMax, AVG(con_pids) AS PidsAvg, MAX(con_pids) AS PidsMax, NULL AS Load1Avg, NULL AS Load1Max, " +
                "MAX(con_get_datetime) AS LastAt " +
                "FROM container WHERE agent_id = @agentId AND node_name IN @nodes AND container_name = @containerName " +
                "AND con_get_datetime >= @from AND con_get_datetime <= @to GROUP BY b ORDER BY b",
            rawFrom => new { agentId, nodes, containerName, from = Dialect.ToDbTime(rawFrom), to = Dialect.ToDbTime(to), step = stepSeconds }, cancellationToken)
            .ConfigureAwait(false);
    }, cancellationToken);

    public Task<Page<ContainerRow>> SearchLatestContainersAsync(string? nameContains, string? status, int offset, int limit, CancellationToken cancellationToken)
        => database.RunAsync<Page<ContainerRow>>(async connection =>
    {
        // Case-insensitive on both databases (SQLite's LIKE already is; MySQL's is not under utf8mb4_bin).
        var pattern = nameContains is null ? null : "%" + EscapeLike(nameContains.ToLowerInvariant()) + "%";
        var parameters = new { pattern, status, offset, limit };
        var latest = LatestContainers + " WHERE (@pattern IS NULL OR LOWER(container_name) LIKE @pattern ESCAPE '!') AND (@status IS NULL OR status = @status)";
        var rows = await QueryContainersAsync(connection, latest + " ORDER BY agent_id, container_name, node_name LIMIT @limit OFFSET @offset",
            parameters, cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM container " + latest, parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<ContainerRow>(rows, total);
    }, cancellationToken);

    // Every agent's containers of its latest report: one index dive per agent for the time, then its rows.
    private string LatestContainers => Dialect.ContainerByTimeIndexHint +
        " JOIN (SELECT agent_id AS a, MAX(ser_get_datetime) AS t FROM server GROUP BY agent_id) l ON container.agent_id = l.a AND container.con_get_datetime = l.t";

    public Task<IReadOnlyList<ContainerRow>> LatestContainersAsync(CancellationToken cancellationToken)
        => database.RunAsync(connection => QueryContainersAsync(connection, LatestContainers + " ORDER BY agent_id, container_name, node_name", new { },
            cancellationToken), cancellationToken);

    private async Task<IReadOnlyList<HistoryBucket>> HistoryAsync(DbConnection connection, string sql, object parameters,
        CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<BucketRecord>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new HistoryBucket(DateTime.UnixEpoch.AddSeconds(r.B), (int)r.Samples, r.CpuAvg, r.CpuMax, r.MemAvg, r.MemMax,
            r.PctAvg, r.PctMax, (int)r.Running)
        {
            NetRxMax = r.NetRxMax,
            NetTxMax = r.NetTxMax,
            BlockReadMax = r.BlockReadMax,
            BlockWriteMax = r.BlockWriteMax,
            PidsAvg = r.PidsAvg,
            PidsMax = r.PidsMax,
            Load1Avg = r.Load1Avg,
            Load1Max = r.Load1Max,
            LastSampleAt = r.LastAt is null or DBNull ? null : Dialect.FromDbTime(r.LastAt),
        }).ToList();
    }

    private async Task<IReadOnlyList<ContainerRow>> QueryContainersAsync(DbConnection connection, string tail, object parameters, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<ContainerRecord>(new CommandDefinition(
            "SELECT agent_id AS AgentId, node_name AS NodeName, container_name AS ContainerName, status AS Status, con_get_datetime AS SampledAt, " +
            "con_cpu_percent AS CpuPercent, con_memory_usage AS MemoryUsageMiB, con_memory_percent AS MemoryPercent, container_id AS ContainerId, " +
            "image AS Image, con_net_rx_bytes AS NetRxBytes, con_net_tx_bytes AS NetTxBytes, con_block_read_bytes AS BlockReadBytes, " +
            "con_block_write_bytes AS BlockWriteBytes, con_pids AS Pids, con_memory_limit AS MemoryLimitBytes, con_cpu_usage_ns AS CpuUsageNanos, " +
            "health AS Health, restart_count AS RestartCount, exit_code AS ExitCode, oom_killed AS OomKilled, started_at AS StartedAt, " +
            "finished_at AS FinishedAt, engine_type AS EngineType, labels AS Labels FROM container " + tail,
            parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new ContainerRow(r.AgentId, r.NodeName, r.ContainerName, r.Status, Dialect.FromDbTime(r.SampledAt!), r.CpuPercent,
            r.MemoryUsageMiB, r.MemoryPercent)
        {
            ContainerId = r.ContainerId,
            Image = r.Image,
            NetRxBytes = r.NetRxBytes,
            NetTxBytes = r.NetTxBytes,
            BlockReadBytes = r.BlockReadBytes,
            BlockWriteBytes = r.BlockWriteBytes,
            Pids = r.Pids,
            MemoryLimitBytes = r.MemoryLimitBytes,
            CpuUsageNanos = r.CpuUsageNanos,
            Health = r.Health,
            RestartCount = (int?)r.RestartCount,
            ExitCode = (int?)r.ExitCode,
            OomKilled = r.OomKilled is { } oom ? oom != 0 : null,
            StartedAt = r.StartedAt is null ? null : Dialect.FromDbTime(r.StartedAt),
            FinishedAt = r.FinishedAt is null ? null : Dialect.FromDbTime(r.FinishedAt),
            EngineType = r.EngineType,
            Labels = r.Labels is { Length: > 0 } labels
                ? System.Text.Json.JsonSerializer.Deserialize(labels, Contracts.ContractsJsonContext.Default.IReadOnlyDictionaryStringString)
                : null,
        }).ToList();
    }

    public Task<IReadOnlyList<FileSystemRow>> FileSystemsAtAsync(string agentId, DateTime sampledAt, CancellationToken cancellationToken)
        => database.RunAsync<IReadOnlyList<FileSystemRow>>(async connection =>
    {
        var rows = await connection.QueryAsync<(string Mount, string Type, long Total, long Used)>(new CommandDefinition(
            "SELECT mount_point, fs_type, total_bytes, used_bytes FROM server_filesystem WHERE agent_id = @agentId AND ser_get_datetime = @at ORDER BY mount_point",
            new { agentId, at = Dialect.ToDbTime(sampledAt) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new FileSystemRow(r.Mount, r.Type, r.Total, r.Used)).ToList();
    }, cancellationToken);

    public Task<ILookup<string, FileSystemRow>> LatestFileSystemsAsync(CancellationToken cancellationToken)
        => database.RunAsync<ILookup<string, FileSystemRow>>(async connection =>
    {
        var rows = await connection.QueryAsync<(string Agent, string Mount, string Type, long Total, long Used)>(new CommandDefinition(
            "SELECT f.agent_id, f.mount_point, f.fs_type, f.total_bytes, f.used_bytes FROM server_filesystem f " +
            "JOIN (SELECT agent_id AS a, MAX(ser_get_datetime) AS t FROM server GROUP BY agent_id) l ON f.agent_id = l.a AND f.ser_get_datetime = l.t " +
            "ORDER BY f.agent_id, f.mount_point", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToLookup(r => r.Agent, r => new FileSystemRow(r.Mount, r.Type, r.Total, r.Used), StringComparer.Ordinal);
    }, cancellationToken);

    public Task<Page<EventRow>> EventsAsync(string agentId, string? containerName, DateTime from, DateTime to, int offset, int limit,
        CancellationToken cancellationToken)
        => database.RunAsync<Page<EventRow>>(async connection =>
    {
        var parameters = new { agentId, containerName, from = Dialect.ToDbTime(from), to = Dialect.ToDbTime(to), offset, limit };
        // Two statements rather than "(@name IS NULL OR ...)": each then ranges over the index made for it.
        var where = "FROM container_event WHERE agent_id = @agentId " + (containerName is null ? "" : "AND container_name = @containerName ") +
            "AND event_datetime >= @from AND event_datetime <= @to";
        var rows = await connection.QueryAsync<EventRecord>(new CommandDefinition(
            "SELECT container_id AS ContainerId, container_name AS ContainerName, node_name AS NodeName, action AS Action, event_datetime AS OccurredAt, " +
            "time_nano AS TimeNano, source AS Source, image AS Image, exit_code AS ExitCode, kill_signal AS KillSignal, health AS Health " +
            where + " ORDER BY event_datetime DESC, time_nano DESC LIMIT @limit OFFSET @offset",
            parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) " + where, parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<EventRow>(rows.Select(r => new EventRow(r.ContainerId, r.ContainerName, r.NodeName, r.Action, Dialect.FromDbTime(r.OccurredAt!),
            r.TimeNano, r.Source, r.Image, (int?)r.ExitCode, (int?)r.KillSignal, r.Health)).ToList(), total);
    }, cancellationToken);

    private const string HostColumns =
        "ser_get_datetime AS SampledAt, ser_cpu_count AS CpuCount, ser_cpu_percent AS CpuPercent, ser_memory_total AS MemoryTotalMiB, " +
        "ser_memory_used AS MemoryUsedMiB, ser_memory_percent AS MemoryPercent, ser_load_1 AS Load1, ser_load_5 AS Load5, ser_load_15 AS Load15, " +
        "ser_uptime_seconds AS UptimeSeconds, ser_swap_total AS SwapTotalMiB, ser_swap_used AS SwapUsedMiB, ser_net_rx_bytes AS NetRxBytes, " +
        "ser_net_tx_bytes AS NetTxBytes";

    private HostRow ToHostRow(HostRecord r) =>
        new(Dialect.FromDbTime(r.SampledAt!), (int)r.CpuCount, r.CpuPercent, r.MemoryTotalMiB, r.MemoryUsedMiB, r.MemoryPercent)
        {
            Load1 = r.Load1,
            Load5 = r.Load5,
            Load15 = r.Load15,
            UptimeSeconds = r.UptimeSeconds,
            SwapTotalMiB = r.SwapTotalMiB,
            SwapUsedMiB = r.SwapUsedMiB,
            NetRxBytes = r.NetRxBytes,
            NetTxBytes = r.NetTxBytes,
        };

    // Dapper's targets, by column alias. Times arrive as text (SQLite) or DateTime (MySQL) and whole numbers as
    // the provider's width, so they land in object and long and are converted once, here.
#pragma warning disable CA1812 // instantiated by Dapper
    private sealed class HostRecord
    {
        public object? SampledAt { get; set; }
        public long CpuCount { get; set; }
        public double CpuPercent { get; set; }
        public double MemoryTotalMiB { get; set; }
        public double MemoryUsedMiB { get; set; }
        public double MemoryPercent { get; set; }
        public double? Load1 { get; set; }
        public double? Load5 { get; set; }
        public double? Load15 { get; set; }
        public long? UptimeSeconds { get; set; }
        public double? SwapTotalMiB { get; set; }
        public double? SwapUsedMiB { get; set; }
        public long? NetRxBytes { get; set; }
        public long? NetTxBytes { get; set; }
    }

    private sealed class ContainerRecord
    {
        public string EngineType { get; set; } = "";

        public string? Labels { get; set; }
        public string AgentId { get; set; } = "";
        public string NodeName { get; set; } = "";
        public string ContainerName { get; set; } = "";
        public string Status { get; set; } = "";
        public object? SampledAt { get; set; }
        public double CpuPercent { get; set; }
        public double MemoryUsageMiB { get; set; }
        public double MemoryPercent { get; set; }
        public string? ContainerId { get; set; }
        public string? Image { get; set; }
        public long? NetRxBytes { get; set; }
        public long? NetTxBytes { get; set; }
        public long? BlockReadBytes { get; set; }
        public long? BlockWriteBytes { get; set; }
        public long? Pids { get; set; }
        public long? MemoryLimitBytes { get; set; }
        public long? CpuUsageNanos { get; set; }
        public string? Health { get; set; }
        public long? RestartCount { get; set; }
        public long? ExitCode { get; set; }
        public long? OomKilled { get; set; }
        public object? StartedAt { get; set; }
        public object? FinishedAt { get; set; }
    }

    private sealed class BucketRecord
    {
        public long B { get; set; }
        public long Samples { get; set; }
        public double CpuAvg { get; set; }
        public double CpuMax { get; set; }
        public double MemAvg { get; set; }
        public double MemMax { get; set; }
        public double PctAvg { get; set; }
        public double PctMax { get; set; }
        public long Running { get; set; }
        public double? NetRxMax { get; set; }
        public double? NetTxMax { get; set; }
        public double? BlockReadMax { get; set; }
        public double? BlockWriteMax { get; set; }
        public double? PidsAvg { get; set; }
        public double? PidsMax { get; set; }
        public double? Load1Avg { get; set; }
        public double? Load1Max { get; set; }
        public object? LastAt { get; set; }
    }

    private sealed class EventRecord
    {
        public string ContainerId { get; set; } = "";
        public string ContainerName { get; set; } = "";
        public string NodeName { get; set; } = "";
        public string Action { get; set; } = "";
        public object? OccurredAt { get; set; }
        public long TimeNano { get; set; }
        public string Source { get; set; } = "";
        public string? Image { get; set; }
        public long? ExitCode { get; set; }
        public long? KillSignal { get; set; }
        public string? Health { get; set; }
    }
#pragma warning restore CA1812

    private static string EscapeLike(string value) =>
        value.Replace("!", "!!", StringComparison.Ordinal).Replace("%", "!%", StringComparison.Ordinal).Replace("_", "!_", StringComparison.Ordinal);
}
