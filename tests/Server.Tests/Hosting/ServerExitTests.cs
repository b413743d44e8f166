using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackScope.Server.Hosting;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Hosting;

/// <summary>
/// A worker that fails past its own loop's guard stops ss-server with exit code 70, which the shipped unit's
/// <c>Restart=on-failure</c> restarts (a stop with 0 it would not); a clean stop still exits 0.
/// </summary>
public sealed class ServerExitTests
{
    private sealed class FailingWorker : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(200, stoppingToken);
            throw new InvalidOperationException("forced worker failure");
        }
    }

    private static Dictionary<string, string?> Settings(TestDatabase database) => new()
    {
        ["Urls"] = "http://127.0.0.1:0",
        ["Storage:Provider"] = database.Provider,
        ["Storage:ConnectionString"] = database.ConnectionString,
        ["Logging:LogLevel:Default"] = "Critical",
        ["Auth:KeysPath"] = RunningServer.DefaultKeysPath,
    };

    [Fact]
    public async Task A_worker_that_fails_stops_the_server_with_a_code_a_supervisor_restarts()
    {
        await using var database = new SqliteTestDatabase();
        var app = ServerApp.Build([], Settings(database), services => services.AddHostedService<FailingWorker>());
        var code = await ServerExit.RunAsync(app).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(ServerExit.FatalError, code);

        var unit = await File.ReadAllLinesAsync(Path.Combine(MariaDb.RepositoryRoot, "deploy", "systemd", "ss-server.service"));
        Assert.Contains("Restart=on-failure", unit);
        Assert.DoesNotContain(unit, l => l.StartsWith("SuccessExitStatus=", StringComparison.Ordinal) && l.Contains("70", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clean_stop_exits_zero()
    {
        await using var database = new SqliteTestDatabase();
        var app = ServerApp.Build([], Settings(database));
        var run = ServerExit.RunAsync(app);
        await Task.Delay(500);
        await app.StopAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
