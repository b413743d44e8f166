namespace StackScope.Agent;

/// <summary>
/// The process's exit code. A worker that dies of an unexpected error records it here and stops the host, so
/// ss-agent exits non-zero and a supervisor that restarts on failure brings it back (the host alone exits 0).
/// </summary>
internal sealed partial class AgentExit(IHostApplicationLifetime lifetime, ILogger<AgentExit> logger)
{
    public const int FatalError = 70; // EX_SOFTWARE

    public int Code { get; private set; }

    /// <summary>Runs a worker's loop: stopping ends it quietly, anything else it throws stops the agent non-zero.</summary>
    public async Task RunAsync(string worker, Func<CancellationToken, Task> loop, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(loop);
        try
        {
            await loop(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Fail(worker, ex);
        }
    }

    public void Fail(string worker, Exception exception)
    {
        LogFatal(logger, exception, worker);
        Code = FatalError;
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Worker} failed unexpectedly; ss-agent stops with exit code 70")]
    private static partial void LogFatal(ILogger logger, Exception exception, string worker);
}
