namespace StackScope.Server.Alerts;

/// <summary>
/// A wake-up call: ingest pulses it after each commit with the reports it stored, so the evaluator (when this process
/// holds the lease) looks at once at just those agents, and evaluates the parsed reports without reading them back
/// when they directly follow what it evaluated last; the evaluator pulses the sender's after a pass that queued
/// notices. Pulses while nobody waits collapse into one. Reports past <see cref="MaxNamed"/> are dropped and the
/// evaluator falls back to its scan of storage. Reports are kept only while an evaluator takes them (alerts on, and this
/// process holding the lease): otherwise nobody would, and up to <see cref="MaxNamed"/> of them stayed in memory.
/// </summary>
internal sealed class AlertSignal : IDisposable
{
    private const int MaxNamed = 100_000;

    private readonly SemaphoreSlim _pulse = new(0, 1);
    private readonly object _gate = new();
    private List<(Contracts.MonitorReport Report, DateTime ReceivedAt)> _stored = [];
    private bool _overflowed;
    private volatile bool _listening;

    /// <summary>
    /// Set by the evaluator while it takes the stored reports. Reports stored while nobody listens are found by its scan
    /// of recent arrivals, which its first pass after it starts listening always runs.
    /// </summary>
    public bool Listening
    {
        get => _listening;
        set
        {
            _listening = value;
            if (!value)
            {
                TakeStored();
            }
        }
    }

    /// <summary>Wakes the evaluator, handing it <paramref name="reports"/> (enumerated only while it listens).</summary>
    public void Pulse(IEnumerable<Contracts.MonitorReport> reports, DateTime receivedAt)
    {
        if (!_listening)
        {
            Pulse();
            return;
        }

        lock (_gate)
        {
            foreach (var report in reports)
            {
                if (_stored.Count >= MaxNamed)
                {
                    _overflowed = true; // the evaluator falls back to its scan
                    break;
                }

                _stored.Add((report, receivedAt));
            }
        }

        Pulse();
    }

    /// <summary>The reports stored since the last call, and whether some were dropped (then scan).</summary>
    public (List<(Contracts.MonitorReport Report, DateTime ReceivedAt)> Stored, bool Overflowed) TakeStored()
    {
        lock (_gate)
        {
            var taken = (_stored, _overflowed);
            _stored = [];
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
