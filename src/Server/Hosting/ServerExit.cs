namespace StackScope.Server.Hosting;

/// <summary>
/// The process's exit code. A background worker that still fails past its own loop's guard makes the host stop, and
/// the host's own stop returns normally: without this the process would exit 0 and a supervisor set to restart on
/// failure (the shipped unit's <c>Restart=on-failure</c>) would leave monitoring down.
/// </summary>
internal static partial class ServerExit
{
    public const int FatalError = 70; // EX_SOFTWARE, as ss-agent

    /// <summary>Runs the server until it stops; non-zero when a background worker ended by an exception.</summary>
    public static async Task<int> RunAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved before the run: the run disposes the services when it returns.
        var workers = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("StackScope.Server.Hosting.ServerExit");
        await app.RunAsync().ConfigureAwait(false);
        var failed = workers.Where(w => w.ExecuteTask is { IsFaulted: true }).ToList();
        foreach (var worker in failed)
        {
            var name = worker.GetType().Name;
            LogFatal(logger, worker.ExecuteTask!.Exception!, name);
        }

        return failed.Count > 0 ? FatalError : 0;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Worker} failed unexpectedly; ss-server stops with exit code 70 so its supervisor restarts it")]
    private static partial void LogFatal(ILogger logger, Exception exception, string worker);
}
