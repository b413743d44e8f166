namespace StackScope.Server.Alerts;

/// <summary>
/// A wake-up call without payload: ingest pulses it after each commit so the evaluator (when this process holds the
/// lease) looks at the new reports at once instead of at its next tick; the evaluator pulses the sender's after a
/// pass that queued notices. Pulses while nobody waits collapse into one.
/// </summary>
internal sealed class AlertSignal : IDisposable
{
    private readonly SemaphoreSlim _pulse = new(0, 1);

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
