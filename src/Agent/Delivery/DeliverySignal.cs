namespace StackScope.Agent.Delivery;

/// <summary>Wakes the delivery loop when a new report is spooled, so an idle agent sends at once.</summary>
internal sealed class DeliverySignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public void Dispose() => _semaphore.Dispose();
}
