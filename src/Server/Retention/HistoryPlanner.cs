using Microsoft.Extensions.Options;
using StackScope.Server.Storage;

namespace StackScope.Server.Retention;

/// <summary>Decides which tier a history reads and from when raw rows fill in what the last rollup has not covered yet.</summary>
internal sealed class HistoryPlanner(IOptions<RetentionOptions> options, SqlRetentionStore store, TimeProvider clock)
{
    // Buckets that reports were still arriving in when the last rollup read them are read raw.
    private static readonly TimeSpan Unsettled = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StateCacheTime = TimeSpan.FromSeconds(5);

    private (DateTime ReadAt, DateTime? RolledAt) _state = (DateTime.MinValue, null);

    public async Task<(HistorySource Source, RollupTier Tier, int StepSeconds)> PlanAsync(DateTime from, int stepSeconds, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var tier = RollupTier.For(from, stepSeconds, now, options.Value);
        if (!tier.IsRollup)
        {
            return (HistorySource.Raw, tier, stepSeconds);
        }

        // Whole tier buckets per step, or a bucket would be split between two steps.
        var step = (int)Math.Ceiling(stepSeconds / (double)tier.BucketSeconds) * tier.BucketSeconds;
        var tables = new RollupTables(tier.ServerTable, tier.ContainerTable);
        if (await RolledAtAsync(now, ct).ConfigureAwait(false) is not { } rolledAt)
        {
            // Never rolled up (a new installation, or maintenance off): raw rows serve the whole range.
            return (new HistorySource(tables, tier.BucketSeconds, DateTime.MinValue), tier, step);
        }

        // Raw rows from the first tier bucket the last rollup may not have had whole: a few minutes of them, whatever
        // the step (the step bucket on that edge is merged from both).
        var settled = (long)(rolledAt - Unsettled - DateTime.UnixEpoch).TotalSeconds;
        var rawFrom = DateTime.UnixEpoch.AddSeconds(settled - (settled % tier.BucketSeconds) - tier.BucketSeconds);
        return (new HistorySource(tables, tier.BucketSeconds, rawFrom), tier, step);
    }

    private async Task<DateTime?> RolledAtAsync(DateTime now, CancellationToken ct)
    {
        var state = _state;
        if (now - state.ReadAt < StateCacheTime)
        {
            return state.RolledAt;
        }

        var rolledAt = MaintenanceJob.Time(await store.StateAsync(ct).ConfigureAwait(false), MaintenanceJob.RolledAtKey);
        _state = (now, rolledAt);
        return rolledAt;
    }
}
