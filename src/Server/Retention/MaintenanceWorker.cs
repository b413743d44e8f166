using System.Data.Common;
using Microsoft.Extensions.Options;
using StackScope.Server.Storage;

namespace StackScope.Server.Retention;

/// <summary>
/// Runs <see cref="MaintenanceJob"/> every <see cref="RetentionOptions.IntervalMinutes"/> in the one server process holding
/// the <c>maintenance</c> lease; the lease is renewed between the job's steps, so a process that dies mid-run hands over
/// once it expires (<see cref="RetentionOptions.LeaseSeconds"/>), and the next holder's run redoes what was cut short.
/// </summary>
internal sealed partial class MaintenanceWorker(MaintenanceJob job, SqlLeaseStore leases, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<MaintenanceWorker> logger) : BackgroundService
{
    public const string LeaseName = "maintenance";

    private readonly string _holder = SqlLeaseStore.NewHolder();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var period = TimeSpan.FromMinutes(options.Value.IntervalMinutes);
        // The first run one interval after start, not at once: startup has enough to do, and a server restarted in a
        // loop must not run it on every start.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await RunIfLeaderAsync(job, leases, _holder, TimeSpan.FromSeconds(options.Value.LeaseSeconds), clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Whatever failed (the database, a table nobody foresaw), the next interval tries again: expiry must not
                // end the server, which would stop ingest too.
                LogFailed(logger, ex, ex.Message);
            }
        }
    }

    /// <summary>Takes the lease, runs the job once while renewing it, and gives the lease back; null when another holder has it.</summary>
    public static async Task<MaintenanceResult?> RunIfLeaderAsync(MaintenanceJob job, SqlLeaseStore leases, string holder, TimeSpan leaseTime, TimeProvider clock,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(clock);
        if (!await leases.TryLeaseAsync(LeaseName, holder, clock.GetUtcNow().UtcDateTime, leaseTime, ct).ConfigureAwait(false))
        {
            return null;
        }

        var renewedAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            return await job.RunAsync(async token =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                if (now - renewedAt < leaseTime / 4)
                {
                    return true;
                }

                renewedAt = now;
                return await leases.TryLeaseAsync(LeaseName, holder, now, leaseTime, token).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        finally
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await leases.ReleaseLeaseAsync(LeaseName, holder, quick.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StorageUnavailableException or DbException or OperationCanceledException)
            {
                // It runs out by itself.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance: run failed, tried again next interval: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string reason);
}
