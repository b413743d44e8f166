using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Server.Retention;

/// <summary>
/// One maintenance run: daily partitions ahead (MySQL/MariaDB), rollups of every bucket that reports arrived in since
/// the last run (late ones included), then expiry of each tier, of events and of alert history, the optional size cap,
/// and space given back. Safe to stop at any point: rollups replace whole rows, each expiry mark is stored before its
/// delete, and the arrival mark moves only after its rollups are stored, so the next run redoes what was cut short.
/// </summary>
internal sealed partial class MaintenanceJob(SchemaGate schema, SqlRetentionStore store, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<MaintenanceJob> logger)
{
    // Stored state, by name in maintenance_state.
    public const string ArrivedSinceKey = "rollup.arrived_since";
    public const string RolledAtKey = "rollup.rolled_at";
    public const string RawExpiredBeforeKey = "raw.expired_before";
    public const string FiveMinuteExpiredBeforeKey = "5m.expired_before";
    public const string LastRunKey = "last_run";
    public const string ExpiredDayKey = "expiry.done_day";

    // A batch's received_at is taken just before its transaction; one that commits after a run read the arrivals is
    // caught by the next run, which looks this far back again.
    private static readonly TimeSpan ArrivalSlack = TimeSpan.FromSeconds(60);

    private static readonly RollupTables FiveMinuteTables = new(RollupTier.FiveMinutes.ServerTable, RollupTier.FiveMinutes.ContainerTable);
    private static readonly RollupTables HourTables = new(RollupTier.Hour.ServerTable, RollupTier.Hour.ContainerTable);

    /// <summary>Raw tables, each with its time column; the first two also have rollups.</summary>
    public static readonly IReadOnlyList<(string Table, string Column)> RawTables =
        [("server", "ser_get_datetime"), ("container", "con_get_datetime"), ("server_filesystem", "ser_get_datetime")];

    private const int BucketsPerRollup = 500;

    /// <summary>Runs once; <paramref name="stillHeld"/> is asked between steps and stops the run when the lease is gone.</summary>
    public async Task<MaintenanceResult> RunAsync(Func<CancellationToken, Task<bool>> stillHeld, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stillHeld);
        await schema.EnsureAsync(ct).ConfigureAwait(false);
        var o = options.Value;
        var started = Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow().UtcDateTime;
        var result = new MaintenanceResult { StartedAt = now };
        var state = await store.StateAsync(ct).ConfigureAwait(false);

        foreach (var (table, column) in RawTables)
        {
            result.PartitionsAdded += await store.EnsurePartitionsAsync(table, column, now.Date.AddDays(o.PartitionDaysAhead), ct).ConfigureAwait(false);
        }

        await RollUpAsync(state, now, result, stillHeld, ct).ConfigureAwait(false);
        // Cutoffs are whole days, so expiry has work once a day (and again after a run cut short); the runs between
        // cost a rollup and little else. A late report older than a cutoff waits for the next day's expiry.
        if (Time(state, ExpiredDayKey) != now.Date)
        {
            await ExpireAsync(state, now, o, result, stillHeld, ct).ConfigureAwait(false);
            await store.SetStateAsync(ExpiredDayKey, WireTimestamp.ToWire(now.Date), ct).ConfigureAwait(false);
        }
        if (o.MaxRawMegabytes > 0)
        {
            await CapRawAsync(state, now, o, result, stillHeld, ct).ConfigureAwait(false);
        }

        result.BytesReclaimed = await store.ReclaimSpaceAsync(ct).ConfigureAwait(false);
        result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await store.SetStateAsync(LastRunKey, result.ToJson(), ct).ConfigureAwait(false);
        LogRun(logger, result.FiveMinuteRows, result.HourRows, result.RawRowsExpired, result.PartitionsDropped, result.RollupRowsExpired,
            result.Seconds);
        return result;
    }

    private async Task RollUpAsync(IReadOnlyDictionary<string, string> state, DateTime now, MaintenanceResult result,
        Func<CancellationToken, Task<bool>> stillHeld, CancellationToken ct)
    {
        var since = Time(state, ArrivedSinceKey) ?? DateTime.UnixEpoch;
        // Buckets whose raw rows were partly expired are left as they were rolled up while complete: recomputing one now
        // would lose what expiry removed. A report that late (older than raw retention) is stored and counted, not rolled up.
        var rawComplete = Time(state, RawExpiredBeforeKey) ?? DateTime.MinValue;
        var fiveComplete = Time(state, FiveMinuteExpiredBeforeKey) ?? DateTime.MinValue;
        var arrived = await store.ArrivedBucketsAsync(since, now, RollupTier.FiveMinutes.BucketSeconds, ct).ConfigureAwait(false);
        // Only buckets that have ended (and settled): one still filling is rolled up once complete, by the run after
        // (its reports keep it among that run's arrivals, and the arrival mark below stays before it), so a bucket is
        // read once, not at every run. Histories read the newest buckets from raw rows meanwhile.
        var settled = (long)(now - ArrivalSlack - DateTime.UnixEpoch).TotalSeconds - RollupTier.FiveMinutes.BucketSeconds;
        var open = arrived.Where(b => b.Bucket > settled).ToList();
        var five = arrived.Where(b => b.Bucket <= settled && DateTime.UnixEpoch.AddSeconds(b.Bucket) >= rawComplete).ToList();
        result.LateBucketsSkipped = arrived.Count - five.Count - open.Count;
        foreach (var chunk in Ranges(five, RollupTier.FiveMinutes.BucketSeconds).Chunk(BucketsPerRollup))
        {
            result.FiveMinuteRows += await store.RollUpRawAsync(chunk, RollupTier.FiveMinutes.BucketSeconds, FiveMinuteTables.Server, FiveMinuteTables.Container, ct)
                .ConfigureAwait(false);
            await EnsureHeldAsync(stillHeld, ct).ConfigureAwait(false);
        }

        var hours = five.Select(b => (b.AgentId, Bucket: b.Bucket / 3600 * 3600)).Distinct()
            .Where(b => DateTime.UnixEpoch.AddSeconds(b.Bucket) >= fiveComplete).ToList();
        foreach (var chunk in Ranges(hours, RollupTier.Hour.BucketSeconds).Chunk(BucketsPerRollup))
        {
            result.HourRows += await store.RollUpTierAsync(chunk, RollupTier.Hour.BucketSeconds, FiveMinuteTables, HourTables, ct).ConfigureAwait(false);
            await EnsureHeldAsync(stillHeld, ct).ConfigureAwait(false);
        }

        result.BucketsRolledUp = five.Count;
        var nextSince = now - ArrivalSlack;
        if (open.Count > 0 && DateTime.UnixEpoch.AddSeconds(open.Min(b => b.Bucket)) is var earliestOpen && earliestOpen < nextSince)
        {
            nextSince = earliestOpen;
        }

        await store.SetStateAsync(ArrivedSinceKey, WireTimestamp.ToWire(nextSince), ct).ConfigureAwait(false);
        await store.SetStateAsync(RolledAtKey, WireTimestamp.ToWire(now), ct).ConfigureAwait(false);
    }

    /// <summary>An agent's consecutive buckets merged into one range (seconds since the epoch, end exclusive).</summary>
    private static IEnumerable<(string AgentId, long From, long To)> Ranges(IEnumerable<(string AgentId, long Bucket)> buckets, int size)
    {
        (string AgentId, long From, long To)? open = null;
        foreach (var (agent, bucket) in buckets.OrderBy(b => b.AgentId, StringComparer.Ordinal).ThenBy(b => b.Bucket))
        {
            if (open is { } range && range.AgentId == agent && range.To == bucket)
            {
                open = range with { To = bucket + size };
                continue;
            }

            if (open is not null)
            {
                yield return open.Value;
            }

            open = (agent, bucket, bucket + size);
        }

        if (open is not null)
        {
            yield return open.Value;
        }
    }

    private async Task ExpireAsync(IReadOnlyDictionary<string, string> state, DateTime now, RetentionOptions o, MaintenanceResult result,
        Func<CancellationToken, Task<bool>> stillHeld, CancellationToken ct)
    {
        // Whole days, so MySQL/MariaDB drop whole partitions and both databases keep the same rows.
        var rawCutoff = now.Date.AddDays(-o.RawDays);
        await ExpireRawBeforeAsync(state, rawCutoff, o, result, stillHeld, ct).ConfigureAwait(false);

        var agents = await store.AgentsWithHistoryAsync(HourTables.Server, ct).ConfigureAwait(false);
        var fiveCutoff = now.Date.AddDays(-o.FiveMinuteDays);
        await MarkAsync(state, FiveMinuteExpiredBeforeKey, fiveCutoff, ct).ConfigureAwait(false);
        var hourCutoff = now.Date.AddDays(-o.HourDays);
        foreach (var (tables, cutoff) in new[] { (FiveMinuteTables, fiveCutoff), (HourTables, hourCutoff) })
        {
            var epoch = (long)(cutoff - DateTime.UnixEpoch).TotalSeconds;
            foreach (var table in new[] { tables.Server, tables.Container })
            {
                result.RollupRowsExpired += await DeletePerAgentAsync(table, "bucket_start", epoch, agents, o, stillHeld, ct).ConfigureAwait(false);
            }
        }

        var eventCutoff = store.ToDbTime(now.AddDays(-o.EventDays));
        result.EventsExpired = await DeletePerAgentAsync("container_event", "event_datetime", eventCutoff, agents, o, stillHeld, ct).ConfigureAwait(false);
        var alertCutoff = store.ToDbTime(now.AddDays(-o.AlertDays));
        result.AlertRowsExpired = await DeleteAllAsync("alert_incident", "resolved_at IS NOT NULL AND resolved_at < @cutoff", alertCutoff, o, stillHeld, ct)
            .ConfigureAwait(false);
        result.AlertRowsExpired += await DeleteAllAsync("alert_outbox", "sent_at IS NOT NULL AND sent_at < @cutoff", alertCutoff, o, stillHeld, ct)
            .ConfigureAwait(false);
    }

    /// <summary>Raw rows before <paramref name="cutoff"/>: whole partitions dropped where there are any, the rest deleted in chunks.</summary>
    private async Task ExpireRawBeforeAsync(IReadOnlyDictionary<string, string> state, DateTime cutoff, RetentionOptions o, MaintenanceResult result,
        Func<CancellationToken, Task<bool>> stillHeld, CancellationToken ct)
    {
        // Marked first: were the run cut short mid-delete, no later rollup recomputes a bucket from what is left of it.
        await MarkAsync(state, RawExpiredBeforeKey, cutoff, ct).ConfigureAwait(false);
        foreach (var (table, _) in RawTables)
        {
            var (partitions, rows) = await store.DropPartitionsBeforeAsync(table, cutoff, ct).ConfigureAwait(false);
            result.PartitionsDropped += partitions;
            result.RawRowsExpired += rows;
        }

        var agents = await store.AgentsAsync(ct).ConfigureAwait(false);
        var before = store.ToDbTime(cutoff);
        // Containers and file systems first, hosts last: the host rows are the list of agents the next run walks.
        foreach (var (table, column) in RawTables.Reverse())
        {
            result.RawRowsExpired += await DeletePerAgentAsync(table, column, before, agents, o, stillHeld, ct).ConfigureAwait(false);
        }
    }

    private async Task CapRawAsync(IReadOnlyDictionary<string, string> state, DateTime now, RetentionOptions o, MaintenanceResult result,
        Func<CancellationToken, Task<bool>> stillHeld, CancellationToken ct)
    {
        var cap = (long)o.MaxRawMegabytes * 1024 * 1024;
        var tables = RawTables.Select(t => t.Table).ToList();
        // The oldest day goes first, one day at a time; today is never dropped by the cap. A day's expiry that does not
        // shrink the accounted size (InnoDB keeps deleted rows' pages inside the table; only dropped partitions return
        // theirs) ends the loop rather than taking every older day with it.
        var previous = long.MaxValue;
        while (true)
        {
            var size = (await store.TableSizesAsync(tables, ct).ConfigureAwait(false)).Values.Sum(s => s.Bytes);
            if (size <= cap || size >= previous)
            {
                return;
            }

            previous = size;
            var agents = await store.AgentsAsync(ct).ConfigureAwait(false);
            if (await store.OldestAsync("server", "ser_get_datetime", agents, ct).ConfigureAwait(false) is not { } oldestValue)
            {
                return;
            }

            var cutoff = store.FromDbTime(oldestValue).Date.AddDays(1);
            if (cutoff > now.Date)
            {
                return;
            }

            result.DaysDroppedForCap++;
            await ExpireRawBeforeAsync(state, cutoff, o, result, stillHeld, ct).ConfigureAwait(false);
            await store.ReclaimSpaceAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task<long> DeletePerAgentAsync(string table, string column, object cutoff, IReadOnlyList<string> agents, RetentionOptions o,
        Func<CancellationToken, Task<bool>> stillHeld, CancellationToken ct)
    {
        long deleted = 0;
        foreach (var agent in agents)
        {
            int n;
            do
            {
                n = await store.DeleteChunkAsync(table, $"agent_id = @agent AND {column} < @cutoff", new { agent, cutoff }, o.DeleteChunkRows, ct).ConfigureAwait(false);
                deleted += n;
            }
            while (n >= o.DeleteChunkRows && await stillHeld(ct).ConfigureAwait(false));
        }

        await EnsureHeldAsync(stillHeld, ct).ConfigureAwait(false);
        return deleted;
    }

    private async Task<long> DeleteAllAsync(string table, string where, object cutoff, RetentionOptions o, Func<CancellationToken, Task<bool>> stillHeld,
        CancellationToken ct)
    {
        long deleted = 0;
        int n;
        do
        {
            n = await store.DeleteChunkAsync(table, where, new { cutoff }, o.DeleteChunkRows, ct).ConfigureAwait(false);
            deleted += n;
        }
        while (n >= o.DeleteChunkRows && await stillHeld(ct).ConfigureAwait(false));

        return deleted;
    }

    private async Task MarkAsync(IReadOnlyDictionary<string, string> state, string key, DateTime cutoff, CancellationToken ct)
    {
        if (Time(state, key) is not { } marked || marked < cutoff)
        {
            await store.SetStateAsync(key, WireTimestamp.ToWire(cutoff), ct).ConfigureAwait(false);
        }
    }

    private static async Task EnsureHeldAsync(Func<CancellationToken, Task<bool>> stillHeld, CancellationToken ct)
    {
        if (!await stillHeld(ct).ConfigureAwait(false))
        {
            throw new OperationCanceledException("the maintenance lease passed to another process");
        }
    }

    public static DateTime? Time(IReadOnlyDictionary<string, string> state, string key) =>
        state.TryGetValue(key, out var text) && WireTimestamp.TryParse(text, out var time) ? time : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Maintenance: rolled up {FiveMinuteRows} 5-minute and {HourRows} hour rows; expired {RawRows} raw rows " +
        "({Partitions} partitions dropped) and {RollupRows} rollup rows in {Seconds:0.0} s")]
    private static partial void LogRun(ILogger logger, int fiveMinuteRows, int hourRows, long rawRows, int partitions, long rollupRows, double seconds);
}
