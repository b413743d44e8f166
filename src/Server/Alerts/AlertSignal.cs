namespace StackScope.Server.Alerts;

/// <summary>
/// A wake-up call: ingest pulses it after each commit, naming the agents whose reports it stored, so the evaluator
/// (when this process holds the lease) reads just those agents at once instead of scanning for news at its next tick;
/// the evaluator pulses the sender's after a pass that queued notices. Pulses while nobody waits collapse into one.
/// The names are a hint: the reports themselves are always read from storage.
/// </summary>
internal sealed class AlertSignal : IDisposable
{
    private const int MaxNamed = 100_000;

    private readonly SemaphoreSlim _pulse = new(0, 1);
    private readonly object _gate = new();
    private HashSet<string> _agents = new(StringComparer.Ordinal);
    private bool _overflowed;

    public void Pulse(IEnumerable<string> agents)
    {
        lock (_gate)
        {
            foreach (var agent in agents)
            {
                if (_agents.Count >= MaxNamed)
                {
                    _overflowed = true; // the evaluator falls back to its scan
                    break;
                }

                _agents.Add(agent);
            }
        }

        Pulse();
    }

    /// <summary>The agents named since the last call, and whether some names were dropped (then scan).</summary>
    public (HashSet<string> Agents, bool Overflowed) TakeNamed()
    {
        lock (_gate)
        {
            var taken = (_agents, _overflowed);
            _agents = new HashSet<string>(StringComparer.Ordinal);
            _overflowed = false;
            return taken;
        }
    }

    public void Pulse()
    {
        try
        {
            if (_pulse.CurrentCount == 0)
            {
                _pulse.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another pulse got there first: one is enough.
        }
    }

    /// <summary>True when pulsed, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pulse.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _pulse.Dispose();
}
