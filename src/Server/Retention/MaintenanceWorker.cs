using Microsoft.Extensions.Options;
using StackScope.Server.Coordination;
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

    private readonly Lease _lease = new(leases, LeaseName, TimeSpan.FromSeconds(options.Value.LeaseSeconds), clock);

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
                await RunIfLeaderAsync(job, _lease, stoppingToken).ConfigureAwait(false);
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
    public static async Task<MaintenanceResult?> RunIfLeaderAsync(MaintenanceJob job, Lease lease, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(lease);
        if (!await lease.HoldAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            return await job.RunAsync(lease.HoldAsync, ct).ConfigureAwait(false);
        }
        finally
        {
            await lease.ReleaseAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance: run failed, tried again next interval: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string reason);
}
