namespace StackScope.Agent.Delivery;

/// <summary>
/// Exponential backoff with jitter (1 s doubling to 60 s, a random point in its upper half), so agents that
/// lost the same server do not come back in lockstep. A server's Retry-After is honoured as a floor.
/// </summary>
internal sealed class Backoff(Random random)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(60);
    private int _failures;

    public void Reset() => _failures = 0;

    public TimeSpan Next(TimeSpan? retryAfter)
    {
        var ceiling = TimeSpan.FromTicks(Math.Min(Max.Ticks, First.Ticks << Math.Min(_failures, 16)));
        _failures++;
        var jittered = TimeSpan.FromTicks((long)(ceiling.Ticks * (0.5 + (random.NextDouble() * 0.5))));
        return retryAfter is { } floor && floor > jittered ? TimeSpan.FromTicks(Math.Min(floor.Ticks, Max.Ticks)) : jittered;
    }
}
