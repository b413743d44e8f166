using System.Data.Common;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Alerts.Channels;
using StackScope.Server.Coordination;
using StackScope.Server.Hosting;
using StackScope.Server.Storage;

namespace StackScope.Server.Alerts;

/// <summary>
/// Evaluates and sends, in the one server process that holds the <c>alerts</c> lease (renewed every pass, taken over by
/// another process within <see cref="AlertOptions.LeaseSeconds"/> when its holder dies). Each pass reads the reports
/// stored since the last (by arrival, per agent in sample order), steps the rules, and commits incidents, notices
/// (the outbox), states and cursors in one transaction. A second loop delivers the outbox, oldest first per channel.
/// </summary>
internal sealed partial class AlertWorker(
    SchemaGate schema, SqlAlertStore store, SqlLeaseStore leases, RuleBook rules, ChannelCatalog channels, NoticeSender sender, IOptions<AlertOptions> options,
    AlertSignal ingested, TimeProvider clock, ILogger<AlertWorker> logger, Metrics.ServerMetrics? metrics = null) : BackgroundService
{
    public const string LeaseName = "alerts";

    // Rows are stored a little after their received_at is taken (group commit): look back this far past the watermark.
    private static readonly TimeSpan ArrivalSlack = TimeSpan.FromSeconds(30);
    private const int SamplesPerAgentPass = 500;
    private const int AgentsPerRead = 100;
    private static readonly ILookup<string, EventPoint> NoEvents = Array.Empty<EventPoint>().ToLookup(e => e.ContainerName, StringComparer.Ordinal);

    private readonly Lease _lease = new(leases, LeaseName, TimeSpan.FromSeconds(options.Value.LeaseSeconds), clock);
    private readonly Dictionary<string, AgentCursor> _agents = new(StringComparer.Ordinal);
    private readonly HashSet<long> _refusedSilences = [];
    private AlertEngine? _engine;
    private string? _version;
    private IReadOnlyList<ChannelSpec> _channels = [];
    private static readonly TimeSpan CursorFlushInterval = TimeSpan.FromSeconds(15);
    private DateTime _watermark;
    private DateTime _savedWatermark;
    private DateTime _flushedAt;
    private DateTime _watchingSince;
    private readonly AlertSignal _queued = new();
    private DateTime _refreshedAt = DateTime.MinValue;
    private int _localChangesSeen;
    private DateTime _scannedAt = DateTime.MinValue;
    private DateTime _absenceCheckedAt = DateTime.MinValue;
    private static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(5);

    // The sender's longest sleep without a pass waking it, and its shortest (a retry falling due just now).
    private static readonly TimeSpan SendCheck = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinSendWait = TimeSpan.FromMilliseconds(50);

    // A report stored here wakes the evaluator, but passes stay this far apart, so a busy ingest batches them.
    private static readonly TimeSpan MinPassGap = TimeSpan.FromMilliseconds(500);

    // Rules and silences changed through another server process are read this often; this process's own at once.
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var sending = SendLoopAsync(stoppingToken);
        var period = TimeSpan.FromSeconds(Math.Max(options.Value.EvaluateIntervalSeconds, 2 * MinPassGap.TotalSeconds));
        var failures = new LoopFailures(logger, "Alerts: the evaluation pass", period, TimeSpan.FromMinutes(1), clock);
        while (!stoppingToken.IsCancellationRequested)
        {
            var pause = MinPassGap;
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await PassAsync(stoppingToken).ConfigureAwait(false);
                failures.Succeeded();
                if (_lease.Held)
                {
                    metrics?.AlertPass(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Nothing of the pass was committed: start again from what is stored. Whatever the failure (a database
                // away, a rule or an input nobody foresaw), the loop goes on: alerting must outlive any one of them.
                _engine = null;
                pause = failures.Failed(ex);
            }

            try
            {
                await Task.Delay(pause, clock, stoppingToken).ConfigureAwait(false);
                if (failures.ConsecutiveFailures == 0)
                {
                    await ingested.WaitAsync(period - MinPassGap, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        ingested.Listening = false;
        await _lease.ReleaseAsync().ConfigureAwait(false);

        await sending.ConfigureAwait(false);
    }

    private async Task PassAsync(CancellationToken ct)
    {
        await schema.EnsureAsync(ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var wasLeader = _lease.Held;
        if (await _lease.HoldAsync(ct).ConfigureAwait(false) != wasLeader)
        {
            LogLeader(logger, wasLeader ? "lost" : "took", _lease.Holder);
        }

        if (!_lease.Held)
        {
            _engine = null;
            ingested.Listening = false;
            return;
        }

        if (_engine is null)
        {
            // Before the start reads the cursors: what is stored after that is handed over, what before is found by the
            // scan this first pass runs.
            ingested.Listening = true;
            await StartAsync(now, ct).ConfigureAwait(false);
            _queued.Pulse(); // the outbox may hold notices an earlier holder (or this process before a failed pass) left
        }

        var engine = _engine!;
        if (now - _refreshedAt >= RefreshInterval || store.LocalChanges != _localChangesSeen)
        {
            _localChangesSeen = store.LocalChanges;
            var version = await rules.VersionAsync(ct).ConfigureAwait(false);
            if (version != _version)
            {
                engine.SetRules(await rules.RulesAsync(ct).ConfigureAwait(false));
                _channels = await channels.AllAsync(ct).ConfigureAwait(false);
                _version = version;
            }

            foreach (var refused in engine.SetSilences(await store.SilencesAsync(now, ct).ConfigureAwait(false)).Where(r => _refusedSilences.Add(r.Id)))
            {
                LogSilenceRefused(logger, refused.Id, refused.ContainerGlob);
            }

            _refreshedAt = now;
        }

        var pass = new AlertPass();
        // The reports this process stored are looked at at once; a scan of recent arrivals (every few seconds) finds
        // those stored by other server processes, and anything the hand-over missed.
        var (stored, overflowed) = ingested.TakeStored();
        var fed = stored.GroupBy(r => r.Report.AgentId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Report.SampledAt).ToList(), StringComparer.Ordinal);
        IReadOnlyList<AgentNews> news;
        var watermark = _watermark;
        if (overflowed || now - _scannedAt >= ScanInterval)
        {
            news = await store.AgentsWithNewsAsync(_watermark - ArrivalSlack, ct).ConfigureAwait(false);
            _scannedAt = now;
        }
        else
        {
            news = fed.Keys.Select(a => new AgentNews(a, DateTime.MaxValue, DateTime.MinValue)).ToList();
        }

        var changedAgents = new HashSet<string>(StringComparer.Ordinal);
        var reads = new List<(AgentCursor Cursor, bool First)>();
        var feeds = new List<(AgentCursor Cursor, List<(MonitorReport Report, DateTime ReceivedAt)> Reports)>();
        foreach (var agent in news)
        {
            watermark = agent.LastReceivedAt > watermark ? agent.LastReceivedAt : watermark;
            _agents.TryGetValue(agent.AgentId, out var cursor);
            if (cursor is not null && fed.TryGetValue(agent.AgentId, out var reports) && cursor.IsFollowedBy(reports[0].Report.SampledAt))
            {
                // The next reports after what was evaluated, as parsed at ingest: nothing to read back.
                feeds.Add((cursor, reports));
                continue;
            }

            if (cursor is not null && agent.NewestSample <= cursor.LastSampleAt)
            {
                continue;
            }

            // An agent first seen now is evaluated from its reports of the look-back, not from its whole history.
            var lookBack = TimeSpan.FromSeconds(Math.Max(ArrivalSlack.TotalSeconds, (now - _watermark).TotalSeconds + ArrivalSlack.TotalSeconds));
            reads.Add((cursor ?? new AgentCursor(agent.AgentId, after: (agent.NewestSample == DateTime.MaxValue ? now : agent.NewestSample) - lookBack),
                cursor is null));
        }

        foreach (var batch in feeds.Chunk(AgentsPerRead))
        {
            // Events carry the ids their cursor needs: read from storage, for the agents that have some to apply: carried
            // by a fed report, or read before and still waiting for their samples. Fed reports directly follow the last
            // evaluated one, so no report between held events; an event stored with a later report, not fed yet, arrives
            // with that report (fed or read back) and waits for the samples before it (see Evaluate).
            var needing = batch.Where(f => f.Cursor.EventsWaiting || f.Reports.Any(r => r.Report.Events is { Count: > 0 }))
                .Select(f => (f.Cursor.AgentId, f.Cursor.LastEventId)).ToList();
            var events = needing.Count > 0
                ? await store.EventsAsync(needing, SamplesPerAgentPass * 50, ct).ConfigureAwait(false)
                : NoEvents;
            foreach (var (cursor, reports) in batch)
            {
                var samples = reports.Where(r => r.Report.SampledAt > cursor.LastSampleAt).Select(r => FedSample(r.Report, r.ReceivedAt)).ToList();
                var carried = reports.SelectMany(r => r.Report.Events ?? []).Select(e => (e.ContainerName, e.Action, e.TimeNano)).ToHashSet();
                Evaluate(engine, pass, changedAgents, cursor, samples, [.. events[cursor.AgentId]], e => carried.Contains((e.ContainerName, e.Action, e.TimeNano)),
                    first: false, now);
            }
        }

        foreach (var batch in reads.Chunk(AgentsPerRead))
        {
            var data = await store.AgentDataAsync(batch.Select(r => (r.Cursor.AgentId, r.Cursor.LastSampleAt, r.Cursor.LastEventId)).ToList(),
                SamplesPerAgentPass, ct).ConfigureAwait(false);
            foreach (var (cursor, first) in batch)
            {
                var (samples, loaded) = data[cursor.AgentId];
                // The events were read before the reports: each one's report was read too, unless the limit cut them short.
                var complete = samples.Count < SamplesPerAgentPass;
                Evaluate(engine, pass, changedAgents, cursor, samples, loaded, _ => complete, first, now);
            }
        }

        // Silence is measured in seconds: once a second is enough, however often reports wake the evaluator.
        if (now - _absenceCheckedAt >= TimeSpan.FromSeconds(1))
        {
            Record(pass, engine.CheckAbsence(_agents.Values.Where(a => a.LastReceivedAt > DateTime.MinValue).Select(a => a.Clock), now, _watchingSince), now);
            _absenceCheckedAt = now;
        }

        foreach (var summary in engine.TakeBackfills(now))
        {
            RecordBackfill(pass, summary, now);
        }

        (pass.Changed, pass.Idle) = engine.TakeDirty();
        // Cursors go with the changes they led to; the others every 15 s. Re-evaluating a few seconds of
        // samples from the stored state after a takeover gives the same changes, so nothing is told twice.
        changedAgents.UnionWith(pass.Changed.Concat(pass.Idle).Select(s => s.AgentId));
        var flush = now - _flushedAt >= CursorFlushInterval;
        foreach (var cursor in _agents.Values.Where(c => c.Unsaved && (flush || changedAgents.Contains(c.AgentId))))
        {
            pass.Agents.Add((cursor.Clock, cursor.LastEventId));
            cursor.Unsaved = false;
        }

        pass.Watermark = flush && watermark > _savedWatermark ? watermark : null;
        if (pass.Steps.Count > 0 || pass.Changed.Count > 0 || pass.Idle.Count > 0 || pass.Agents.Count > 0 || pass.Watermark is not null)
        {
            await store.CommitPassAsync(pass, ct).ConfigureAwait(false);
            if (pass.Steps.Count > 0)
            {
                _queued.Pulse(); // notices may be waiting: the sender need not wait for its tick
            }
        }

        _watermark = watermark;
        if (flush)
        {
            _flushedAt = now;
            _savedWatermark = pass.Watermark ?? _savedWatermark;
        }
    }

    public override void Dispose()
    {
        _queued.Dispose();
        base.Dispose();
    }

    // seen: whether an event's own report is among those evaluated (now or before).
    private void Evaluate(AlertEngine engine, AlertPass pass, HashSet<string> changedAgents, AgentCursor cursor, IReadOnlyList<AgentSample> samples,
        IReadOnlyList<EventPoint> loaded, Func<EventPoint, bool> seen, bool first, DateTime now)
    {
        if (samples.Count == 0 && loaded.Count == 0)
        {
            return;
        }

        // An event is applied once every sample taken before it has been: it is no later than the newest sample, or its
        // own report (which comes after those samples) was evaluated. One from a report stored but not evaluated yet
        // waits, with those stored after it, for the next pass: applied now, the samples of its report and of those
        // before would be evaluated after it, and a running container's sample would undo a die the engine had told.
        var newest = samples.Count > 0 ? samples[^1].Host.SampledAt : cursor.LastSampleAt;
        var ready = loaded.TakeWhile(e => e.OccurredAt <= newest || seen(e)).ToList();
        // A first-seen agent's older events were before the evaluator watched it: passed over, not replayed.
        var events = first ? ready.Where(e => e.OccurredAt > cursor.LastSampleAt).ToList() : ready;
        var outcomes = engine.Process(cursor.AgentId, samples, events, now);
        cursor.Advance(samples, ready);
        cursor.EventsWaiting = ready.Count < loaded.Count;
        _agents[cursor.AgentId] = cursor;
        if (outcomes.Count > 0)
        {
            changedAgents.Add(cursor.AgentId);
        }

        Record(pass, outcomes, now);
    }

    /// <summary>A report as ingest parsed it, shaped as the evaluator reads reports back from storage.</summary>
    private static AgentSample FedSample(MonitorReport r, DateTime receivedAt) => new(
        new HostPoint(r.SampledAt, receivedAt, r.CpuPercent, r.MemoryPercent)
        {
            Load1 = r.Load1,
            Load5 = r.Load5,
            Load15 = r.Load15,
            SwapTotalMiB = r.SwapTotalMiB,
            SwapUsedMiB = r.SwapUsedMiB,
            EngineUnread = r.UnreadEngines is { Count: > 0 },
        },
        r.Containers.Select(c => new ContainerPoint(c.ContainerName, c.Status, c.CpuPercent, c.MemoryPercent, c.MemoryUsageMiB)
        {
            Image = c.Image,
            Pids = c.Pids,
            RestartCount = c.RestartCount,
            Health = c.Health,
            Labels = c.Labels is { Count: > 0 } ? c.Labels : null,
        }).ToList(),
        (r.FileSystems ?? []).Select(f => new DiskPoint(f.MountPoint, f.TotalBytes > 0 ? 100.0 * f.UsedBytes / f.TotalBytes : 0)).ToList());

    private async Task StartAsync(DateTime now, CancellationToken ct)
    {
        var engine = new AlertEngine(options.Value);
        // The version first: a change stored while the rules are read is then picked up at the next refresh.
        _version = await rules.VersionAsync(ct).ConfigureAwait(false);
        _localChangesSeen = store.LocalChanges;
        engine.SetRules(await rules.RulesAsync(ct).ConfigureAwait(false));
        engine.Load(await store.StatesAsync(ct).ConfigureAwait(false));
        _channels = await channels.AllAsync(ct).ConfigureAwait(false);
        _agents.Clear();
        foreach (var (agentClock, eventId) in await store.AgentClocksAsync(ct).ConfigureAwait(false))
        {
            _agents[agentClock.AgentId] = new AgentCursor(agentClock, eventId);
        }

        _watermark = await store.SettingAsync("watermark", ct).ConfigureAwait(false) is { } text && WireTimestamp.TryParse(text, out var stored)
            ? stored
            : now - ArrivalSlack;
        _savedWatermark = _watermark;
        _flushedAt = now;
        // Agents are not silent for the time this process was not watching: their silence counts from now.
        _watchingSince = now;
        _scannedAt = DateTime.MinValue; // so the first pass scans, and finds what was stored before this process listened
        _engine = engine;
    }

    private void Record(AlertPass pass, IReadOnlyList<AlertOutcome> outcomes, DateTime now)
    {
        foreach (var outcome in outcomes)
        {
            pass.Steps.Add(async (connection, tx) =>
            {
                var state = outcome.State;
                switch (outcome.Kind)
                {
                    case OutcomeKinds.Fired:
                        state.IncidentId = await store.OpenIncidentAsync(connection, tx, outcome, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case OutcomeKinds.Resolved or OutcomeKinds.Flapping when state.IncidentId is { } id:
                        await store.UpdateIncidentAsync(connection, tx, id, outcome, outcome.Kind == OutcomeKinds.Resolved, CancellationToken.None).ConfigureAwait(false);
                        break;
                }

                if (outcome.Notify)
                {
                    await EnqueueAsync(connection, tx, outcome.Rule.Channels, ToNotice(outcome, state.IncidentId), now).ConfigureAwait(false);
                }

                if (outcome.Kind == OutcomeKinds.Resolved)
                {
                    state.IncidentId = null;
                }
            });
        }
    }

    private void RecordBackfill(AlertPass pass, BackfillSummary summary, DateTime now)
    {
        pass.Steps.Add((connection, tx) => EnqueueAsync(connection, tx, summary.Channels, new Notice
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = NoticeKinds.Backfill,
            AgentId = summary.AgentId,
            Severity = summary.Items.Any(i => i.Rule.Severity == AlertSeverities.Critical) ? AlertSeverities.Critical : AlertSeverities.Warning,
            Summary = $"{summary.Items.Count} alert changes found in reports of agent {summary.AgentId} that arrived late (samples {summary.From:u} to {summary.To:u})",
            At = now,
            Backfilled = true,
            Items = summary.Items.Select(i => new NoticeItem(i.Rule.Name, i.State.Target, i.Kind, i.At, i.Summary, i.State.IncidentId)).ToList(),
            Url = Link(),
        }, now));
    }

    private async Task EnqueueAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<string> routed, Notice notice, DateTime now)
    {
        foreach (var channel in _channels.Where(c => routed.Count == 0 || routed.Contains(c.Name)))
        {
            await store.EnqueueAsync(connection, tx, channel.Name, notice, now, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Notice ToNotice(AlertOutcome o, long? incidentId)
    {
        var s = o.State;
        var resolved = o.Kind == OutcomeKinds.Resolved;
        return new Notice
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = o.Kind switch
            {
                OutcomeKinds.Fired => NoticeKinds.Firing,
                OutcomeKinds.Resolved => NoticeKinds.Resolved,
                OutcomeKinds.Repeat => NoticeKinds.Repeat,
                OutcomeKinds.Flapping => NoticeKinds.Flapping,
                _ => NoticeKinds.Settled,
            },
            Rule = o.Rule.Name,
            Severity = o.Rule.Severity,
            AgentId = s.AgentId,
            ContainerName = s.Container,
            MountPoint = s.MountPoint,
            Target = s.Target,
            Summary = o.Summary,
            At = o.At,
            StartedAt = o.Since,
            ResolvedAt = resolved ? o.At : null,
            DurationSeconds = resolved && o.Since is { } since ? (long)(o.At - since).TotalSeconds : null,
            Value = o.Value,
            Peak = o.Peak,
            Threshold = o.Rule.Threshold,
            IncidentId = incidentId,
            Backfilled = o.Backfilled,
            Url = Link(),
        };
    }

    private string? Link() => options.Value.ExternalUrl is { Length: > 0 } url ? url.TrimEnd('/') + "/#/alerts" : null;

    private async Task SendLoopAsync(CancellationToken ct)
    {
        // Only this process's passes queue notices, and each one that did wakes this loop: between them it waits for the
        // next retry that falls due, looking at the outbox at least every SendCheck (and after a storage error, sooner).
        var retry = TimeSpan.FromSeconds(Math.Max(0.5, options.Value.EvaluateIntervalSeconds));
        var failures = new LoopFailures(logger, "Alerts: the outbox sender", retry, TimeSpan.FromMinutes(1), clock);
        while (!ct.IsCancellationRequested)
        {
            var wait = SendCheck;
            try
            {
                // Only once the evaluator has started (the channels read): an unknown channel's notices are dropped.
                if (_lease.Held && Volatile.Read(ref _engine) is not null)
                {
                    var (sent, nextDue) = await SendDueAsync(ct).ConfigureAwait(false);
                    wait = sent ? TimeSpan.Zero
                        : nextDue is { } due ? TimeSpan.FromTicks(Math.Clamp((due - clock.GetUtcNow().UtcDateTime).Ticks, MinSendWait.Ticks, SendCheck.Ticks))
                        : SendCheck;
                }

                failures.Succeeded();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The outbox keeps every notice: whatever failed (the database, a channel nobody foresaw), the loop goes on.
                wait = failures.Failed(ex);
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await _queued.WaitAsync(wait, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // One attempt at each channel's oldest notice, channels side by side: a slow or broken receiver holds only its own.
    // Returns whether one was delivered, and when the earliest of those left falls due.
    private async Task<(bool Sent, DateTime? NextDue)> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var heads = await store.OutboxHeadsAsync(ct).ConfigureAwait(false);
        var due = heads.Where(h => h.NextAttemptAt <= now).ToList();
        var later = heads.Where(h => h.NextAttemptAt > now).Select(h => (DateTime?)h.NextAttemptAt).Min();
        if (due.Count == 0)
        {
            return (false, later);
        }

        var known = _channels;
        var results = await Task.WhenAll(due.Select(async head =>
        {
            if (known.FirstOrDefault(c => c.Name == head.Channel) is not { } channel)
            {
                await store.DropChannelNoticesAsync(head.Channel, ct).ConfigureAwait(false);
                return (Sent: false, Next: (DateTime?)null);
            }

            try
            {
                var notice = System.Text.Json.JsonSerializer.Deserialize(head.Notice, AlertsJsonContext.Default.Notice)
                    ?? throw new ChannelFailedException("the stored notice is empty", permanent: true);
                await sender.SendAsync(channel, notice, ct).ConfigureAwait(false);
                metrics?.Notification(channel.Type, delivered: true);
                await store.MarkSentAsync(head.Id, clock.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
                return (Sent: true, Next: null);
            }
            catch (Exception ex) when (ex is ChannelFailedException or System.Text.Json.JsonException)
            {
                metrics?.Notification(channel.Type, delivered: false);
                if (ex is System.Text.Json.JsonException || ((ChannelFailedException)ex).Permanent)
                {
                    // Sending it again would fail the same way: set it aside with its reason so the channel's later
                    // notices go out; the channel's status shows it.
                    LogParked(logger, channel.Name, head.Id, ex.Message);
                    await store.MarkParkedAsync(head.Id, ex.Message, clock.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
                    return (Sent: true, Next: null);
                }

                var wait = Math.Min(options.Value.MaxBackoffSeconds, Math.Pow(2, Math.Min(head.Attempts, 16)));
                LogSendFailed(logger, channel.Name, ex.Message);
                var next = clock.GetUtcNow().UtcDateTime.AddSeconds(wait);
                await store.MarkFailedAsync(head.Id, ex.Message, next, ct).ConfigureAwait(false);
                return (Sent: false, Next: (DateTime?)next);
            }
        })).ConfigureAwait(false);
        return (results.Any(r => r.Sent), results.Select(r => r.Next).Append(later).Min());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alerts: {Change} the evaluation lease ({Holder})")]
    private static partial void LogLeader(ILogger logger, string change, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerts: silence {Id} is left out: a pattern of it does not parse ({Container})")]
    private static partial void LogSilenceRefused(ILogger logger, long id, string container);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alerts: channel {Channel} can never take notice {Id}; parked: {Problem}")]
    private static partial void LogParked(ILogger logger, string channel, long id, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerts: channel {Channel} failed, retried with backoff: {Problem}")]
    private static partial void LogSendFailed(ILogger logger, string channel, string problem);

    /// <summary>Where the evaluator stands for one agent: its last evaluated sample and event, and its clock for absence.</summary>
    private sealed class AgentCursor
    {
        private readonly List<DateTime> _recent = [];
        private readonly string _agentId;

        public AgentCursor(string agentId, DateTime after)
        {
            _agentId = agentId;
            LastSampleAt = after;
        }

        public AgentCursor(AgentClock clock, long lastEventId)
        {
            _agentId = clock.AgentId;
            LastSampleAt = clock.LastSampleAt;
            LastReceivedAt = clock.LastReceivedAt;
            Interval = clock.IntervalSeconds;
            LastEventId = lastEventId;
        }

        public string AgentId => _agentId;

        /// <summary>Advanced since it was last stored.</summary>
        public bool Unsaved { get; set; }

        /// <summary>Events were read that wait for samples not evaluated yet: read them again with the next reports.</summary>
        public bool EventsWaiting { get; set; }

        public DateTime LastSampleAt { get; private set; }
        public DateTime LastReceivedAt { get; private set; } = DateTime.MinValue;
        public long LastEventId { get; private set; }
        public int Interval { get; private set; } = 10;

        public AgentClock Clock => new(_agentId, LastReceivedAt, LastSampleAt, Interval);

        /// <summary>
        /// Whether a report taken at <paramref name="sampledAt"/> is the one after the last evaluated, by the agent's
        /// known interval: if a report could lie between (stored by another server process), it is read from storage.
        /// </summary>
        public bool IsFollowedBy(DateTime sampledAt) =>
            _recent.Count >= 2 && sampledAt > LastSampleAt && (sampledAt - LastSampleAt).TotalSeconds <= 1.5 * Interval;

        public void Advance(IReadOnlyList<AgentSample> samples, List<EventPoint> events)
        {
            Unsaved = true;
            foreach (var sample in samples)
            {
                _recent.Add(sample.Host.SampledAt);
                LastSampleAt = sample.Host.SampledAt;
                LastReceivedAt = sample.Host.ReceivedAt > LastReceivedAt ? sample.Host.ReceivedAt : LastReceivedAt;
            }

            if (events.Count > 0)
            {
                LastEventId = Math.Max(LastEventId, events.Max(e => e.Id));
            }

            if (_recent.Count > 9)
            {
                _recent.RemoveRange(0, _recent.Count - 9);
            }

            // The typical gap (median), so one outage does not stretch it.
            if (_recent.Count >= 2)
            {
                var gaps = _recent.Zip(_recent.Skip(1), (a, b) => (b - a).TotalSeconds).Order().ToList();
                Interval = (int)Math.Clamp(Math.Round(gaps[gaps.Count / 2]), 1, 3600);
            }
        }
    }
}
