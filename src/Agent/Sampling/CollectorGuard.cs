using System.Collections.Concurrent;

namespace StackScope.Agent.Sampling;

/// <summary>
/// Runs one collector call (the host's /proc, an engine) within its own time budget and catches whatever it
/// throws, so a collector that fails, hangs or answers garbage costs its own part of one report, never the
/// report loop nor the agent. A failing part is logged once and then stays quiet until it answers again.
/// </summary>
internal sealed partial class CollectorGuard(ILogger<CollectorGuard> logger)
{
    private readonly ConcurrentDictionary<string, bool> _failing = new();

    /// <summary>The call's result, or null when it failed or ran past <paramref name="budget"/>; throws only when <paramref name="stopping"/> fires.</summary>
    public async Task<T?> RunAsync<T>(string part, string where, string consequence, Func<CancellationToken, Task<T>> call, TimeSpan budget,
        CancellationToken stopping)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(call);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(budget);
        try
        {
            // WaitAsync: a call that ignores its token is abandoned at the budget all the same.
            var result = await call(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            if (_failing.TryRemove(part, out _))
            {
                LogBack(logger, part);
            }

            return result;
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            if (_failing.TryAdd(part, true))
            {
                var reason = ex is OperationCanceledException ? $"no answer within {budget.TotalSeconds:0.#} s" : ex.Message;
                LogFailing(logger, part, where, reason, consequence);
            }

            return null;
        }
    }

    // Names the socket, URL or folder it tried: "Cannot assign requested address (docker:80)" named neither.
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Part} unreachable or failing at {Where} ({Reason}); {Consequence} until it is back")]
    private static partial void LogFailing(ILogger logger, string part, string where, string reason, string consequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Part} reachable again")]
    private static partial void LogBack(ILogger logger, string part);
}
