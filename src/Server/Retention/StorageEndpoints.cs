using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Query;
using StackScope.Server.Storage;

namespace StackScope.Server.Retention;

/// <summary>GET /api/v1/storage: rows and bytes per table and tier, the oldest data kept, and growth per day.</summary>
internal static class StorageEndpoints
{
    private static readonly int[] Errors =
    [
        StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable,
    ];

    // (table, tier, time column, whether the column holds seconds since the epoch)
    private static readonly (string Table, RollupTier? Tier, string Column, bool Epoch)[] Tables =
    [
        ("server", RollupTier.Raw, "ser_get_datetime", false),
        ("container", RollupTier.Raw, "con_get_datetime", false),
        ("server_filesystem", RollupTier.Raw, "ser_get_datetime", false),
        ("server_5m", RollupTier.FiveMinutes, "bucket_start", true),
        ("container_5m", RollupTier.FiveMinutes, "bucket_start", true),
        ("server_1h", RollupTier.Hour, "bucket_start", true),
        ("container_1h", RollupTier.Hour, "bucket_start", true),
        ("container_event", null, "event_datetime", false),
    ];

    public static IEndpointRouteBuilder MapStorageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Storage").RequireAuthorization(Auth.AuthSchemes.ReaderPolicy)
            .MapGet("/storage", StorageAsync)
            .AddEndpointFilter(QueryConcurrencyLimiter.FilterAsync)
            .WithSummary("Stored history per table and tier: rows, bytes, oldest data, growth per day, retention, and the last maintenance run.")
            .Produces<ApiEnvelope<StorageView>>()
            .ProducesErrors(Errors);
        return app;
    }

    private static async Task StorageAsync(HttpContext context, SqlRetentionStore store, IOptions<RetentionOptions> retention, IOptions<StorageOptions> storage,
        TimeProvider clock)
    {
        var ct = context.RequestAborted;
        var o = retention.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var sizes = await store.TableSizesAsync(Tables.Select(t => t.Table).ToList(), ct).ConfigureAwait(false);
        var agents = await store.AgentsWithHistoryAsync(RollupTier.Hour.ServerTable, ct).ConfigureAwait(false);
        var views = new List<StorageTableView>();
        foreach (var (table, tier, column, epoch) in Tables)
        {
            var (rows, bytes) = sizes.GetValueOrDefault(table);
            var oldestValue = await store.OldestAsync(table, column, agents, ct).ConfigureAwait(false);
            DateTime? oldest = oldestValue is null ? null : epoch ? DateTime.UnixEpoch.AddSeconds(Convert.ToInt64(oldestValue, System.Globalization.CultureInfo.InvariantCulture))
                : store.FromDbTime(oldestValue);
            // Raw tables grow by the last hour's rows times 24 (a day of them would be millions of index entries to count);
            // tiers and events by their last day's.
            var raw = tier == RollupTier.Raw;
            var window = raw ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
            var since = now - window;
            var recent = await store.CountSinceAsync(table, column,
                epoch ? (long)(since - DateTime.UnixEpoch).TotalSeconds : store.ToDbTime(since), agents, ct).ConfigureAwait(false);
            var growth = rows == 0 ? 0 : (long)(bytes / (double)rows * recent * (TimeSpan.FromDays(1) / window));
            var partitions = (await store.PartitionsAsync(table, ct).ConfigureAwait(false)).Count;
            views.Add(new StorageTableView(table, tier?.Name ?? "events", rows, bytes, oldest, tier?.RetentionDays(o) ?? o.EventDays, growth, partitions));
        }

        var state = await store.StateAsync(ct).ConfigureAwait(false);
        var view = new StorageView(storage.Value.Provider.Trim().ToLowerInvariant(),
            new RetentionView(o.RawDays, o.FiveMinuteDays, o.HourDays, o.EventDays, o.AlertDays, o.MaxRawMegabytes, o.IntervalMinutes),
            views, MaintenanceJob.Time(state, MaintenanceJob.RolledAtKey), MaintenanceResult.FromJson(state.GetValueOrDefault(MaintenanceJob.LastRunKey)));
        await Envelopes.WriteAsync(context, new ApiEnvelope<StorageView> { Data = view, ResultCode = ResultCodes.Ok, Success = true },
            StorageJsonContext.Default.ApiEnvelopeStorageView).ConfigureAwait(false);
    }
}
