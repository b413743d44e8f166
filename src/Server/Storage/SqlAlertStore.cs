using System.Data.Common;
using System.Text.Json;
using Dapper;
using StackScope.Contracts;
using StackScope.Server.Alerts;

namespace StackScope.Server.Storage;

/// <summary>
/// Alert rules, channels, state, incidents, silences and the outbox, in the reports' database. The
/// evaluator's writes for one pass (incidents, notices, states, cursors) go in one transaction: a server killed
/// mid-pass re-evaluates from the last commit, so a change is neither lost nor told twice.
/// </summary>
internal sealed class SqlAlertStore(SqlDatabase database)
{
    private int _localChanges;

    private SqlDialect Dialect => database.Dialect;

    /// <summary>
    /// Counts rule and channel changes made through this process, so its evaluator applies them at its next pass; it
    /// learns of other processes' changes from the stored version, read once a second.
    /// </summary>
    public int LocalChanges => Volatile.Read(ref _localChanges);

    // ---- settings, rules, channels ----

    public Task<string?> SettingAsync(string name, CancellationToken ct) =>
        database.RunAsync(connection => connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT value FROM alert_setting WHERE name = @name", new { name }, cancellationToken: ct)), ct);

    /// <summary>Inserts the setting unless it exists; true when this call inserted it.</summary>
    public Task<bool> AddSettingAsync(string name, string value, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            try
            {
                return await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO alert_setting(name, value) VALUES (@name, @value)", new { name, value }, cancellationToken: ct)).ConfigureAwait(false) == 1;
            }
            catch (DbException ex) when (Dialect.IsDuplicateKey(ex))
            {
                return false;
            }
        }, ct);

    public Task<IReadOnlyList<(string Name, string Definition)>> DefinitionsAsync(string table, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<(string, string)>>(async connection =>
            (await connection.QueryAsync<(string, string)>(new CommandDefinition(
                $"SELECT name, definition FROM {Table(table)} ORDER BY name", cancellationToken: ct)).ConfigureAwait(false)).ToList(), ct);

    /// <summary>Replaces the named definitions (and with <paramref name="replaceAll"/> every other one goes), bumping the version.</summary>
    public Task SaveDefinitionsAsync(string table, IReadOnlyList<(string Name, string Definition)> items, bool replaceAll, DateTime now, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            if (replaceAll)
            {
                await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {Table(table)}", transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
            }

            foreach (var (name, definition) in items)
            {
                await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {Table(table)} WHERE name = @name", new { name }, tx, cancellationToken: ct)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO {Table(table)}(name, definition, updated_at) VALUES (@name, @definition, @now)",
                    new { name, definition, now = Dialect.ToDbTime(now) }, tx, cancellationToken: ct)).ConfigureAwait(false);
            }

            await BumpVersionAsync(connection, tx, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            Interlocked.Increment(ref _localChanges);
        }, ct);

    public Task<bool> DeleteDefinitionAsync(string table, string name, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var removed = await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {Table(table)} WHERE name = @name", new { name }, tx, cancellationToken: ct)).ConfigureAwait(false) == 1;
            await BumpVersionAsync(connection, tx, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            Interlocked.Increment(ref _localChanges);
            return removed;
        }, ct);

    private static Task BumpVersionAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        PutSettingAsync(connection, tx, "config_version", Guid.NewGuid().ToString("N"), ct);

    // Portable upsert of one setting: SQLite and MySQL spell "insert or update" differently, and it is rare here.
    private static async Task PutSettingAsync(DbConnection connection, DbTransaction tx, string name, string value, CancellationToken ct)
    {
        if (await connection.ExecuteAsync(new CommandDefinition("UPDATE alert_setting SET value = @value WHERE name = @name",
            new { name, value }, tx, cancellationToken: ct)).ConfigureAwait(false) == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO alert_setting(name, value) VALUES (@name, @value)",
                new { name, value }, tx, cancellationToken: ct)).ConfigureAwait(false);
        }
    }

    private static string Table(string table) => table is "alert_rule" or "alert_channel" ? table : throw new ArgumentException("not a definitions table", nameof(table));

    // ---- what the evaluator reads ----

    public Task<IReadOnlyList<AgentNews>> AgentsWithNewsAsync(DateTime receivedSince, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<AgentNews>>(async connection =>
            (await connection.QueryAsync<(string Agent, object Newest, object Received)>(new CommandDefinition(
                "SELECT agent_id, MAX(ser_get_datetime), MAX(received_at) FROM server WHERE received_at >= @since GROUP BY agent_id",
                new { since = Dialect.ToDbTime(receivedSince) }, cancellationToken: ct)).ConfigureAwait(false))
            .Select(r => new AgentNews(r.Agent, Dialect.FromDbTime(r.Newest), Dialect.FromDbTime(r.Received))).ToList(), ct);

    /// <summary>
    /// Several agents' reports after their cursors, oldest first (at most <paramref name="limit"/> per agent), with their
    /// containers, file systems and events: four queries for the whole batch, each an OR of per-agent index ranges.
    /// </summary>
    public Task<IReadOnlyDictionary<string, (IReadOnlyList<AgentSample> Samples, IReadOnlyList<EventPoint> Events)>> AgentDataAsync(
        IReadOnlyList<(string AgentId, DateTime After, long AfterEventId)> cursors, int limit, CancellationToken ct) =>
        database.RunAsync<IReadOnlyDictionary<string, (IReadOnlyList<AgentSample>, IReadOnlyList<EventPoint>)>>(async connection =>
        {
            var args = new DynamicParameters();
            var hostRanges = new List<string>();
            var eventRanges = new List<string>();
            for (var i = 0; i < cursors.Count; i++)
            {
                args.Add($"a{i}", cursors[i].AgentId);
                args.Add($"t{i}", Dialect.ToDbTime(cursors[i].After));
                args.Add($"e{i}", cursors[i].AfterEventId);
                hostRanges.Add($"(agent_id = @a{i} AND ser_get_datetime > @t{i})");
                eventRanges.Add($"(agent_id = @a{i} AND id > @e{i})");
            }

            // Events first: each was committed with its report, so every event read has its report among the hosts read
            // next (or beyond the limit). Read the other way round, a report stored in between brought events whose
            // samples the evaluator had not seen: applied early, they were undone by those samples (two incidents).
            var events = await EventsAsync(connection, args, eventRanges, limit * 50 * cursors.Count, ct).ConfigureAwait(false);
            var hosts = (await connection.QueryAsync<HostRecord>(new CommandDefinition(
                $"""
                SELECT agent_id AS AgentId, ser_get_datetime AS SampledAt, received_at AS ReceivedAt, ser_cpu_percent AS Cpu, ser_memory_percent AS Memory,
                       ser_load_1 AS Load1, ser_load_5 AS Load5, ser_load_15 AS Load15, ser_swap_total AS SwapTotal, ser_swap_used AS SwapUsed,
                       unread_engines AS UnreadEngines
                FROM server WHERE {string.Join(" OR ", hostRanges)} ORDER BY agent_id, ser_get_datetime LIMIT {limit * cursors.Count}
                """, args, cancellationToken: ct)).ConfigureAwait(false))
                .GroupBy(h => h.AgentId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Take(limit).ToList(), StringComparer.Ordinal);

            // Containers and file systems of exactly the reports read: (after, last read] per agent.
            var rowRanges = new List<string>();
            var diskRanges = new List<string>();
            for (var i = 0; i < cursors.Count; i++)
            {
                if (hosts.TryGetValue(cursors[i].AgentId, out var rows))
                {
                    args.Add($"l{i}", rows[^1].SampledAt);
                    rowRanges.Add($"(agent_id = @a{i} AND con_get_datetime > @t{i} AND con_get_datetime <= @l{i})");
                    diskRanges.Add($"(agent_id = @a{i} AND ser_get_datetime > @t{i} AND ser_get_datetime <= @l{i})");
                }
            }

            ILookup<(string, DateTime), ContainerRecord> containers = Array.Empty<ContainerRecord>().ToLookup(c => (c.AgentId, DateTime.MinValue));
            ILookup<(string, DateTime), DiskRecord> disks = Array.Empty<DiskRecord>().ToLookup(d => (d.AgentId, DateTime.MinValue));
            if (rowRanges.Count > 0)
            {
                containers = (await connection.QueryAsync<ContainerRecord>(new CommandDefinition(
                    $"""
                    SELECT agent_id AS AgentId, con_get_datetime AS SampledAt, container_name AS Name, status AS Status, con_cpu_percent AS Cpu,
                           con_memory_percent AS MemoryPercent, con_memory_usage AS MemoryMiB, image AS Image, con_pids AS Pids,
                           restart_count AS RestartCount, health AS Health, labels AS Labels
                    FROM container {Dialect.ContainerByTimeIndexHint} WHERE {string.Join(" OR ", rowRanges)}
                    """, args, cancellationToken: ct)).ConfigureAwait(false))
                    .ToLookup(c => (c.AgentId, Dialect.FromDbTime(c.SampledAt)));
                disks = (await connection.QueryAsync<DiskRecord>(new CommandDefinition(
                    $"""
                    SELECT agent_id AS AgentId, ser_get_datetime AS SampledAt, mount_point AS MountPoint, total_bytes AS TotalBytes, used_bytes AS UsedBytes
                    FROM server_filesystem WHERE {string.Join(" OR ", diskRanges)}
                    """, args, cancellationToken: ct)).ConfigureAwait(false))
                    .ToLookup(d => (d.AgentId, Dialect.FromDbTime(d.SampledAt)));
            }

            var result = new Dictionary<string, (IReadOnlyList<AgentSample>, IReadOnlyList<EventPoint>)>(StringComparer.Ordinal);
            foreach (var (agentId, _, _) in cursors)
            {
                var samples = hosts.TryGetValue(agentId, out var rows) ? rows.Select(h =>
                {
                    var at = Dialect.FromDbTime(h.SampledAt);
                    var host = new HostPoint(at, Dialect.FromDbTime(h.ReceivedAt), h.Cpu, h.Memory)
                    {
                        Load1 = h.Load1,
                        Load5 = h.Load5,
                        Load15 = h.Load15,
                        SwapTotalMiB = h.SwapTotal,
                        SwapUsedMiB = h.SwapUsed,
                        EngineUnread = h.UnreadEngines is not null,
                    };
                    return new AgentSample(host,
                        containers[(agentId, at)].Select(c => new ContainerPoint(c.Name, c.Status, c.Cpu, c.MemoryPercent, c.MemoryMiB)
                        {
                            Image = c.Image,
                            Pids = c.Pids,
                            RestartCount = c.RestartCount,
                            Health = c.Health,
                            Labels = ReadLabels(c.Labels),
                        }).ToList(),
                        disks[(agentId, at)].Select(d => new DiskPoint(d.MountPoint, d.TotalBytes > 0 ? 100.0 * d.UsedBytes / d.TotalBytes : 0)).ToList());
                }).ToList() : [];
                result[agentId] = (samples, events[agentId].ToList());
            }

            return result;
        }, ct);

    /// <summary>Several agents' container events after their event cursors, in the order they were stored.</summary>
    public Task<ILookup<string, EventPoint>> EventsAsync(IReadOnlyList<(string AgentId, long AfterEventId)> cursors, int limit, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            var args = new DynamicParameters();
            var ranges = new List<string>();
            for (var i = 0; i < cursors.Count; i++)
            {
                args.Add($"a{i}", cursors[i].AgentId);
                args.Add($"e{i}", cursors[i].AfterEventId);
                ranges.Add($"(agent_id = @a{i} AND id > @e{i})");
            }

            return EventsAsync(connection, args, ranges, limit, ct);
        }, ct);

    private async Task<ILookup<string, EventPoint>> EventsAsync(DbConnection connection, DynamicParameters args, List<string> ranges, int limit, CancellationToken ct) =>
        (await connection.QueryAsync<EventRecord>(new CommandDefinition(
            $"""
            SELECT agent_id AS AgentId, id AS Id, container_name AS Name, action AS Action, event_datetime AS OccurredAt, received_at AS ReceivedAt, exit_code AS ExitCode,
                   time_nano AS TimeNano
            FROM container_event WHERE {string.Join(" OR ", ranges)} ORDER BY id LIMIT {limit}
            """, args, cancellationToken: ct)).ConfigureAwait(false))
            .ToLookup(e => e.AgentId, e => new EventPoint(e.Id, e.Name, e.Action, Dialect.FromDbTime(e.OccurredAt), Dialect.FromDbTime(e.ReceivedAt)) { ExitCode = e.ExitCode, TimeNano = e.TimeNano },
                StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, string>? ReadLabels(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, ContractsJsonContext.Default.IReadOnlyDictionaryStringString);

    public Task<IReadOnlyList<(AgentClock Clock, long LastEventId)>> AgentClocksAsync(CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<(AgentClock, long)>>(async connection =>
            (await connection.QueryAsync<(string Agent, long EventId, object Sample, object Received, int Interval)>(new CommandDefinition(
                "SELECT agent_id, last_event_id, last_sample_at, last_received_at, interval_seconds FROM alert_agent", cancellationToken: ct)).ConfigureAwait(false))
            .Select(r => (new AgentClock(r.Agent, Dialect.FromDbTime(r.Received), Dialect.FromDbTime(r.Sample), r.Interval), r.EventId)).ToList(), ct);

    public Task<IReadOnlyList<TargetState>> StatesAsync(CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<TargetState>>(async connection =>
            (await connection.QueryAsync<string>(new CommandDefinition("SELECT data FROM alert_state", cancellationToken: ct)).ConfigureAwait(false))
            .Select(d => JsonSerializer.Deserialize(d, AlertsJsonContext.Default.TargetState)!).ToList(), ct);

    public Task<IReadOnlyList<AlertSilence>> SilencesAsync(DateTime activeAt, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<AlertSilence>>(async connection =>
            (await connection.QueryAsync<(long Id, string Agent, string Container, string Rule, object Starts, object Ends, string Reason, string By)>(new CommandDefinition(
                "SELECT id, agent_glob, container_glob, rule_glob, starts_at, ends_at, reason, created_by FROM alert_silence WHERE ends_at > @now ORDER BY starts_at",
                new { now = Dialect.ToDbTime(activeAt) }, cancellationToken: ct)).ConfigureAwait(false))
            .Select(s => new AlertSilence(s.Id, s.Agent, s.Container, s.Rule, Dialect.FromDbTime(s.Starts), Dialect.FromDbTime(s.Ends), s.Reason, s.By)).ToList(), ct);

    public Task<long> AddSilenceAsync(AlertSilence silence, long? incidentId, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO alert_silence(agent_glob, container_glob, rule_glob, starts_at, ends_at, reason, created_by) VALUES (@AgentGlob, @ContainerGlob, @RuleGlob, @starts, @ends, @Reason, @CreatedBy)",
                new { silence.AgentGlob, silence.ContainerGlob, silence.RuleGlob, starts = Dialect.ToDbTime(silence.StartsAt), ends = Dialect.ToDbTime(silence.EndsAt), silence.Reason, silence.CreatedBy },
                tx, cancellationToken: ct)).ConfigureAwait(false);
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(Dialect.LastInsertId, transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
            if (incidentId is { } incident)
            {
                await connection.ExecuteAsync(new CommandDefinition("UPDATE alert_incident SET acked_by = @by, acked_until = @until WHERE id = @incident",
                    new { by = silence.CreatedBy, until = Dialect.ToDbTime(silence.EndsAt), incident }, tx, cancellationToken: ct)).ConfigureAwait(false);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
            return id;
        }, ct);

    public Task<bool> DeleteSilenceAsync(long id, CancellationToken ct) =>
        database.RunAsync(async connection => await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM alert_silence WHERE id = @id", new { id }, cancellationToken: ct)).ConfigureAwait(false) == 1, ct);

    // ---- one evaluation pass, in one transaction ----

    public Task CommitPassAsync(AlertPass pass, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            foreach (var step in pass.Steps)
            {
                await step(connection, tx).ConfigureAwait(false);
            }

            foreach (var state in pass.Idle.Concat(pass.Changed))
            {
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM alert_state WHERE rule_name = @Rule AND target_key = @Target",
                    new { state.Rule, state.Target }, tx, cancellationToken: ct)).ConfigureAwait(false);
            }

            foreach (var state in pass.Changed)
            {
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO alert_state(rule_name, target_key, data) VALUES (@Rule, @Target, @data)",
                    new { state.Rule, state.Target, data = JsonSerializer.Serialize(state, AlertsJsonContext.Default.TargetState) }, tx, cancellationToken: ct)).ConfigureAwait(false);
            }

            // Cursors in a few statements per 200 agents (delete, then one multi-row insert), not two per agent.
            foreach (var chunk in pass.Agents.Chunk(200))
            {
                var args = new DynamicParameters();
                var rows = new List<string>();
                for (var n = 0; n < chunk.Length; n++)
                {
                    var (clock, eventId) = chunk[n];
                    args.Add($"a{n}", clock.AgentId);
                    args.Add($"e{n}", eventId);
                    args.Add($"s{n}", Dialect.ToDbTime(clock.LastSampleAt));
                    args.Add($"r{n}", Dialect.ToDbTime(clock.LastReceivedAt));
                    args.Add($"i{n}", clock.IntervalSeconds);
                    rows.Add($"(@a{n}, @e{n}, @s{n}, @r{n}, @i{n})");
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    $"DELETE FROM alert_agent WHERE agent_id IN ({string.Join(", ", Enumerable.Range(0, chunk.Length).Select(n => $"@a{n}"))})",
                    args, tx, cancellationToken: ct)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO alert_agent(agent_id, last_event_id, last_sample_at, last_received_at, interval_seconds) VALUES {string.Join(", ", rows)}",
                    args, tx, cancellationToken: ct)).ConfigureAwait(false);
            }

            if (pass.Watermark is { } watermark)
            {
                await PutSettingAsync(connection, tx, "watermark", WireTimestamp.ToWire(watermark), ct).ConfigureAwait(false);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
        }, ct);

    public async Task<long> OpenIncidentAsync(DbConnection connection, DbTransaction tx, AlertOutcome o, CancellationToken ct)
    {
        var s = o.State;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO alert_incident(rule_name, target_key, agent_id, container_name, severity, summary, started_at, value, peak, backfilled, flapping)
            VALUES (@rule, @target, @agent, @container, @severity, @summary, @started, @value, @peak, @backfilled, @flapping)
            """,
            new
            {
                rule = o.Rule.Name,
                target = s.Target,
                agent = s.AgentId,
                container = s.Container,
                severity = o.Rule.Severity,
                summary = Cut(o.Summary),
                started = Dialect.ToDbTime(o.Since ?? o.At),
                value = o.Value,
                peak = o.Peak,
                backfilled = o.Backfilled ? 1 : 0,
                flapping = s.Flapping ? 1 : 0,
            }, tx, cancellationToken: ct)).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Dialect.LastInsertId, transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
    }

    public Task UpdateIncidentAsync(DbConnection connection, DbTransaction tx, long id, AlertOutcome o, bool resolve, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE alert_incident SET value = @value, peak = @peak, flapping = @flapping{(resolve ? ", resolved_at = @at" : "")}" +
            (o.Backfilled ? ", backfilled = 1" : "") + " WHERE id = @id",
            new { id, value = o.Value, peak = o.Peak, flapping = o.State.Flapping ? 1 : 0, at = Dialect.ToDbTime(o.At) }, tx, cancellationToken: ct));

    public Task EnqueueAsync(DbConnection connection, DbTransaction tx, string channel, Notice notice, DateTime now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO alert_outbox(channel, notice, created_at, attempts, next_attempt_at) VALUES (@channel, @notice, @now, 0, @now)",
            new { channel, notice = JsonSerializer.Serialize(notice, AlertsJsonContext.Default.Notice), now = Dialect.ToDbTime(now) }, tx, cancellationToken: ct));

    // ---- incidents for the API ----

    public Task<Page<IncidentRecord>> IncidentsAsync(bool? open, string? agentId, string? container, int offset, int limit, CancellationToken ct, long? id = null) =>
        database.RunAsync(async connection =>
        {
            var where = new List<string>();
            if (open is { } isOpen) where.Add(isOpen ? "resolved_at IS NULL" : "resolved_at IS NOT NULL");
            if (agentId is not null) where.Add("agent_id = @agentId");
            if (container is not null) where.Add("container_name = @container");
            if (id is not null) where.Add("id = @id");
            var clause = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
            var args = new { agentId, container, id };
            var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM alert_incident {clause}", args, cancellationToken: ct)).ConfigureAwait(false);
            var rows = await connection.QueryAsync<IncidentRow>(new CommandDefinition(
                $"""
                SELECT id AS Id, rule_name AS RuleName, target_key AS TargetKey, agent_id AS AgentId, container_name AS ContainerName, severity AS Severity,
                       summary AS Summary, started_at AS StartedAt, resolved_at AS ResolvedAt, value AS Value, peak AS Peak, backfilled AS Backfilled,
                       flapping AS Flapping, acked_by AS AckedBy, acked_until AS AckedUntil
                FROM alert_incident {clause} ORDER BY id DESC LIMIT {limit} OFFSET {offset}
                """, args, cancellationToken: ct)).ConfigureAwait(false);
            return new Page<IncidentRecord>(rows.Select(r => new IncidentRecord(r.Id, r.RuleName, r.TargetKey, r.AgentId, r.ContainerName, r.Severity, r.Summary,
                Dialect.FromDbTime(r.StartedAt), r.ResolvedAt is null ? null : Dialect.FromDbTime(r.ResolvedAt), r.Value, r.Peak, r.Backfilled != 0, r.Flapping != 0,
                r.AckedBy, r.AckedUntil is null ? null : Dialect.FromDbTime(r.AckedUntil))).ToList(), total);
        }, ct);

    public async Task<IncidentRecord?> IncidentByIdAsync(long id, CancellationToken ct) =>
        (await IncidentsAsync(null, null, null, 0, 1, ct, id).ConfigureAwait(false)).Items is [var found, ..] ? found : null;

    // ---- outbox ----

    /// <summary>The oldest undelivered notice of each channel: a channel's notices go out in order, one failing channel holds only its own.</summary>
    public Task<IReadOnlyList<OutboxItem>> OutboxHeadsAsync(CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<OutboxItem>>(async connection =>
            (await connection.QueryAsync<(long Id, string Channel, string Notice, int Attempts, object Next)>(new CommandDefinition(
                """
                SELECT o.id, o.channel, o.notice, o.attempts, o.next_attempt_at FROM alert_outbox o
                JOIN (SELECT channel, MIN(id) AS id FROM alert_outbox WHERE sent_at IS NULL AND parked_at IS NULL GROUP BY channel) h ON h.id = o.id
                """, cancellationToken: ct)).ConfigureAwait(false))
            .Select(r => new OutboxItem(r.Id, r.Channel, r.Notice, r.Attempts, Dialect.FromDbTime(r.Next))).ToList(), ct);

    public Task MarkSentAsync(long id, DateTime now, CancellationToken ct) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE alert_outbox SET sent_at = @now, attempts = attempts + 1, last_error = NULL WHERE id = @id",
            new { id, now = Dialect.ToDbTime(now) }, cancellationToken: ct)), ct);

    public Task MarkFailedAsync(long id, string error, DateTime nextAttempt, CancellationToken ct) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE alert_outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next WHERE id = @id",
            new { id, error = Cut(error), next = Dialect.ToDbTime(nextAttempt) }, cancellationToken: ct)), ct);

    /// <summary>
    /// Sets aside a notice the channel can never take (its text cannot be sent, the channel's settings cannot work), with
    /// the reason: kept for the record and the status page, no longer at the head of the channel's queue.
    /// </summary>
    public Task MarkParkedAsync(long id, string error, DateTime now, CancellationToken ct) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE alert_outbox SET attempts = attempts + 1, last_error = @error, parked_at = @now WHERE id = @id",
            new { id, error = Cut(error), now = Dialect.ToDbTime(now) }, cancellationToken: ct)), ct);

    /// <summary>Drops the undelivered notices of a channel that no longer exists.</summary>
    public Task DropChannelNoticesAsync(string channel, CancellationToken ct) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM alert_outbox WHERE channel = @channel AND sent_at IS NULL", new { channel }, cancellationToken: ct)), ct);

    public Task<IReadOnlyList<ChannelStatus>> ChannelStatusAsync(CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<ChannelStatus>>(async connection =>
        {
            var pending = (await connection.QueryAsync<(string Channel, long Count, long? Attempts, object? Next)>(new CommandDefinition(
                "SELECT channel, COUNT(*), MAX(attempts), MIN(next_attempt_at) FROM alert_outbox WHERE sent_at IS NULL AND parked_at IS NULL GROUP BY channel",
                cancellationToken: ct)).ConfigureAwait(false))
                .ToDictionary(r => r.Channel);
            var parked = (await connection.QueryAsync<(string Channel, long Count, string? Error)>(new CommandDefinition(
                "SELECT channel, COUNT(*), MAX(last_error) FROM alert_outbox WHERE sent_at IS NULL AND parked_at IS NOT NULL GROUP BY channel",
                cancellationToken: ct)).ConfigureAwait(false))
                .ToDictionary(r => r.Channel);
            var errors = (await connection.QueryAsync<(string Channel, string Error)>(new CommandDefinition(
                "SELECT channel, last_error FROM alert_outbox WHERE sent_at IS NULL AND parked_at IS NULL AND last_error IS NOT NULL", cancellationToken: ct)).ConfigureAwait(false))
                .GroupBy(r => r.Channel).ToDictionary(g => g.Key, g => g.First().Error);
            var sent = (await connection.QueryAsync<(string Channel, object At)>(new CommandDefinition(
                "SELECT channel, MAX(sent_at) FROM alert_outbox WHERE sent_at IS NOT NULL GROUP BY channel", cancellationToken: ct)).ConfigureAwait(false))
                .ToDictionary(r => r.Channel, r => Dialect.FromDbTime(r.At));
            return pending.Keys.Union(sent.Keys).Union(parked.Keys).Select(c => new ChannelStatus(c,
                pending.TryGetValue(c, out var p) ? (int)p.Count : 0,
                pending.TryGetValue(c, out var q) ? (int)(q.Attempts ?? 0) : 0,
                errors.GetValueOrDefault(c),
                sent.TryGetValue(c, out var at) ? at : null,
                pending.TryGetValue(c, out var n) && n.Next is not null ? Dialect.FromDbTime(n.Next) : null,
                parked.TryGetValue(c, out var k) ? (int)k.Count : 0, parked.TryGetValue(c, out var e) ? e.Error : null)).ToList();
        }, ct);

    private static string Cut(string text) => text.Length <= 1000 ? text : text[..1000];

    // Dapper fills settable properties, converting the providers' integer widths.
    private sealed class HostRecord
    {
        public string AgentId { get; set; } = "";
        public object SampledAt { get; set; } = "";
        public object ReceivedAt { get; set; } = "";
        public double Cpu { get; set; }
        public double Memory { get; set; }
        public double? Load1 { get; set; }
        public double? Load5 { get; set; }
        public double? Load15 { get; set; }
        public double? SwapTotal { get; set; }
        public double? SwapUsed { get; set; }
        public string? UnreadEngines { get; set; }
    }

    private sealed class ContainerRecord
    {
        public string AgentId { get; set; } = "";
        public object SampledAt { get; set; } = "";
        public string Name { get; set; } = "";
        public string Status { get; set; } = "";
        public double Cpu { get; set; }
        public double MemoryPercent { get; set; }
        public double MemoryMiB { get; set; }
        public string? Image { get; set; }
        public long? Pids { get; set; }
        public int? RestartCount { get; set; }
        public string? Health { get; set; }
        public string? Labels { get; set; }
    }

    private sealed class DiskRecord
    {
        public string AgentId { get; set; } = "";
        public object SampledAt { get; set; } = "";
        public string MountPoint { get; set; } = "";
        public long TotalBytes { get; set; }
        public long UsedBytes { get; set; }
    }

    private sealed class EventRecord
    {
        public string AgentId { get; set; } = "";
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Action { get; set; } = "";
        public object OccurredAt { get; set; } = "";
        public object ReceivedAt { get; set; } = "";
        public int? ExitCode { get; set; }
        public long TimeNano { get; set; }
    }

    private sealed class IncidentRow
    {
        public long Id { get; set; }
        public string RuleName { get; set; } = "";
        public string TargetKey { get; set; } = "";
        public string AgentId { get; set; } = "";
        public string? ContainerName { get; set; }
        public string Severity { get; set; } = "";
        public string Summary { get; set; } = "";
        public object StartedAt { get; set; } = "";
        public object? ResolvedAt { get; set; }
        public double? Value { get; set; }
        public double? Peak { get; set; }
        public long Backfilled { get; set; }
        public long Flapping { get; set; }
        public string? AckedBy { get; set; }
        public object? AckedUntil { get; set; }
    }
}

/// <summary>Everything one evaluation pass stores, committed together by <see cref="SqlAlertStore.CommitPassAsync"/>.</summary>
internal sealed class AlertPass
{
    public List<Func<DbConnection, DbTransaction, Task>> Steps { get; } = [];
    public IReadOnlyList<TargetState> Changed { get; set; } = [];
    public IReadOnlyList<TargetState> Idle { get; set; } = [];
    public List<(AgentClock Clock, long LastEventId)> Agents { get; } = [];
    public DateTime? Watermark { get; set; }
}
