using System.Diagnostics;

namespace StackScope.Agent.Delivery;

/// <summary>
/// Sends spooled reports oldest first, one at a time so the server sees them in order. Runs apart from
/// sampling: an outage grows the spool, it never delays the next sample.
/// </summary>
internal sealed partial class DeliveryWorker(
    ReportSpool spool, ReportSender sender, DeliverySignal signal, Backoff backoff, TimeProvider clock, AgentExit exit, ILogger<DeliveryWorker> logger,
    Telemetry.AgentMetrics? metrics = null)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => exit.RunAsync("Delivery", DeliverAsync, stoppingToken);

    private async Task DeliverAsync(CancellationToken stoppingToken)
    {
        var outage = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (spool.Oldest() is not { } next)
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            DeliveryResult result;
            // While it is on the wire the report is not the spool's to drop: the bound takes the next oldest,
            // so a report the server is storing right now is never also logged and counted as dropped.
            using (spool.Lease(next.Path))
            {
                try
                {
                    result = await sender.SendAsync(next.Body, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return; // the report stays spooled and goes first after the restart
                }

                if (result.Outcome == DeliveryOutcome.Delivered)
                {
                    spool.Remove(next.Path);
                }
                else if (result.Outcome == DeliveryOutcome.Rejected)
                {
                    spool.Reject(next.Path);
                }
            }

            switch (result.Outcome)
            {
                case DeliveryOutcome.Delivered:
                    metrics?.Delivered();
                    backoff.Reset();
                    if (outage)
                    {
                        LogServerBack(logger);
                        outage = false;
                    }

                    LogDelivered(logger, Path.GetFileName(next.Path), result.StatusCode ?? 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, spool.Count);
                    break;
                case DeliveryOutcome.Rejected:
                    metrics?.Rejected();
                    LogRejected(logger, Path.GetFileName(next.Path), result.StatusCode ?? 0, ReportSender.Describe(result.Body));
                    break;
                default:
                    metrics?.DeliveryFailed();
                    var delay = backoff.Next(result.RetryAfter);
                    if (result.Outcome == DeliveryOutcome.NotAuthorized)
                    {
                        // Every time, not once per outage: nothing will arrive until someone fixes the token.
                        LogNotAuthorized(logger, result.StatusCode ?? 0, ReportSender.Describe(result.Body), spool.Count);
                        outage = true;
                    }
                    else if (!outage)
                    {
                        LogRetrying(logger, result.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer", ReportSender.Describe(result.Body), spool.Count);
                        outage = true;
                    }

                    try
                    {
                        await Task.Delay(delay, clock, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered report {Report}: HTTP {Status} in {ElapsedMs:0} ms, {Waiting} waiting")]
    private static partial void LogDelivered(ILogger logger, string report, int status, double elapsedMs, int waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "Server rejected report {Report} (HTTP {Status}): {Body}; kept in the spool's rejected folder, not resent")]
    private static partial void LogRejected(ILogger logger, string report, int status, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server unavailable ({Status}: {Reason}); spooling, {Waiting} waiting, retrying with backoff")]
    private static partial void LogRetrying(ILogger logger, string status, string reason, int waiting);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Server refused this agent's credentials (HTTP {Status}: {Body}); check Agent:Token / Agent:TokenFile and Agent:AgentId. {Waiting} reports kept in the spool, retrying with backoff")]
    private static partial void LogNotAuthorized(ILogger logger, int status, string body, int waiting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server reachable again; delivering the spool oldest first")]
    private static partial void LogServerBack(ILogger logger);
}
