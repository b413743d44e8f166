using StackScope.Agent.Delivery;
using StackScope.Agent.Engines;

namespace StackScope.Agent.Lifecycle;

/// <summary>
/// Follows one engine's event stream (one watcher per engine) for as long as the agent runs, handing each container event to the tracker;
/// reconnects with backoff, resuming where the tracker left off so the engine replays what it still holds. While the
/// stream is away nothing is lost for good: each sample's reconciliation reconstructs what it missed.
/// </summary>
internal sealed partial class EventWatcher(IContainerEngine engine, LifecycleTracker tracker, AgentExit exit, ILogger<EventWatcher> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => exit.RunAsync("Event watcher", WatchAsync, stoppingToken);

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(Random.Shared);
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var engineEvent in engine.WatchEventsAsync(tracker.ResumeFrom(engine.Key), stoppingToken).ConfigureAwait(false))
                {
                    if (failing)
                    {
                        failing = false;
                        LogBack(logger, engine.DisplayName);
                    }

                    backoff.Reset();
                    tracker.Enqueue(engine.Key, engineEvent);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    failing = true;
                    LogFailing(logger, engine.DisplayName, engine.Address, ex.Message);
                }
            }

            // The stream ended (engine restarted) or failed: resume shortly, from the tracker's cursor.
            await Task.Delay(backoff.Next(null), stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Event stream of the {Engine} at {Address} unavailable ({Reason}); container events are reconstructed from each sample until it is back")]
    private static partial void LogFailing(ILogger logger, string engine, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream of the {Engine} is back")]
    private static partial void LogBack(ILogger logger, string engine);
}
