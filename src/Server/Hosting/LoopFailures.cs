namespace StackScope.Server.Hosting;

/// <summary>
/// How a worker loop lives through failures: one bad input or one failing dependency must never end it. The first
/// failure of a kind is logged in full, repeats of the same problem only every minute, and the loop backs off
/// (doubling from <paramref name="first"/> up to <paramref name="longest"/>) until a pass succeeds again.
/// </summary>
internal sealed partial class LoopFailures(ILogger logger, string loop, TimeSpan first, TimeSpan longest, TimeProvider clock)
{
    private static readonly TimeSpan RepeatLogInterval = TimeSpan.FromMinutes(1);

    private int _failures;
    private string? _lastProblem;
    private DateTimeOffset _loggedAt;

    public int ConsecutiveFailures => _failures;

    /// <summary>Notes a failure, logs it unless it is a recent repeat, and returns how long the loop should wait.</summary>
    public TimeSpan Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _failures++;
        var problem = $"{exception.GetType().FullName}: {exception.Message}";
        var now = clock.GetUtcNow();
        if (problem != _lastProblem || now - _loggedAt >= RepeatLogInterval)
        {
            LogFailed(logger, exception, loop, _failures);
            _lastProblem = problem;
            _loggedAt = now;
        }

        var wait = first.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 16));
        return TimeSpan.FromMilliseconds(Math.Min(wait, longest.TotalMilliseconds));
    }

    /// <summary>Notes a pass that worked: the next failure is logged at once and waits the shortest time again.</summary>
    public void Succeeded()
    {
        if (_failures > 0)
        {
            LogRecovered(logger, loop, _failures);
        }

        _failures = 0;
        _lastProblem = null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Loop} failed ({Failures} in a row); it goes on after a pause")]
    private static partial void LogFailed(ILogger logger, Exception exception, string loop, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Loop} works again after {Failures} failed passes")]
    private static partial void LogRecovered(ILogger logger, string loop, int failures);
}
