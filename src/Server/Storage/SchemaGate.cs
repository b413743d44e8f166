namespace StackScope.Server.Storage;

/// <summary>
/// Runs the migrations once, the first time storage is reachable. The server starts even when the
/// database is not up yet (it answers 503 meanwhile) and migrates as soon as it is.
/// </summary>
internal sealed class SchemaGate(ISchemaMigrator migrator) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _migrated;

    public bool IsMigrated => _migrated;

    public void Dispose() => _lock.Dispose();

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_migrated)
            {
                await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
                _migrated = true;
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
