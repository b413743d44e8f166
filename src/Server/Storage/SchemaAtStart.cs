namespace StackScope.Server.Storage;

/// <summary>
/// Migrates while the host starts, before the services that read the database at start (Data Protection loads its
/// key ring from it), so a first start does not log their failure to find tables that were about to exist. It waits
/// a few seconds at most: a database that is away, or another server holding the schema lock, must not hold up the
/// start (the server answers 503 meanwhile); the migration then goes on and is finished by whoever needs it first.
/// </summary>
internal sealed partial class SchemaAtStart(SchemaGate schema, ILogger<SchemaAtStart> logger) : IHostedService
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var migrating = schema.EnsureAsync(CancellationToken.None);
        try
        {
            await migrating.WaitAsync(Patience, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStillMigrating(logger, Patience.TotalSeconds);
            _ = migrating.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database away or refusing: the first request or batch that needs it tries again, and says why.
            LogNotYet(logger, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage: the schema migration takes longer than {Seconds} s (another server's lock?); starting meanwhile")]
    private static partial void LogStillMigrating(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage: not migrated at start, tried again when needed: {Reason}")]
    private static partial void LogNotYet(ILogger logger, string reason);
}
