namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// Hands each sample's listing of a CRI runtime to its event trail, so events cost no calls of their own (a poll of
/// its own every second cost the agent three times the CPU of a Docker agent: measured in BENCHMARKS.md), and holds
/// the sample until the trail's events are with the tracker: a pod's stop then reaches the report as kill before die,
/// never as a bare die reconstructed from the sample first. Without a watcher (<c>--once</c>) a sample does not wait.
/// </summary>
internal sealed class CriHandoff
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Offer? _offer;
    private int _watchers;

    /// <summary>A sample's listing, and when the trail has told what it held.</summary>
    public sealed class Offer(CriListing listing)
    {
        public CriListing Listing { get; } = listing;

        public TaskCompletionSource Told { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Marks a trail as taking listings while the returned object lives.</summary>
    public IDisposable Watch()
    {
        Interlocked.Increment(ref _watchers);
        return new Unwatch(this);
    }

    /// <summary>The sample's side: offers the listing and waits, at most <paramref name="patience"/>, until its events are told.</summary>
    public async Task OfferAsync(CriListing listing, TimeSpan patience, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _watchers) == 0)
        {
            return;
        }

        var offer = new Offer(listing);
        lock (_gate)
        {
            _offer?.Told.TrySetResult(); // never taken: the newer listing tells it all
            _offer = offer;
            _arrived.TrySetResult();
        }

        try
        {
            await offer.Told.Task.WaitAsync(patience, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The trail is slow or stuck: the sample goes on; the events follow in the next report.
        }
    }

    /// <summary>The trail's side: the next sample's listing, or null when none came within <paramref name="wait"/>.</summary>
    public async Task<Offer?> TakeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Task arrived;
        lock (_gate)
        {
            if (TakeLocked() is { } ready)
            {
                return ready;
            }

            arrived = _arrived.Task;
        }

        try
        {
            await arrived.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }

        lock (_gate)
        {
            return TakeLocked();
        }
    }

    private Offer? TakeLocked()
    {
        var offer = _offer;
        _offer = null;
        if (_arrived.Task.IsCompleted)
        {
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return offer;
    }

    private sealed class Unwatch(CriHandoff handoff) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref handoff._watchers);
            }
        }
    }
}
