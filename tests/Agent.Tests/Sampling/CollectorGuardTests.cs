using Microsoft.Extensions.Logging.Testing;
using StackScope.Agent.Sampling;

namespace StackScope.Agent.Tests.Sampling;

public sealed class CollectorGuardTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_throwing_call_gives_null_and_is_logged_once_until_it_recovers()
    {
        var logger = new FakeLogger<CollectorGuard>();
        var guard = new CollectorGuard(logger);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await guard.RunAsync<string>("Engine X", "unix:///x.sock", "going without", _ => throw new InvalidOperationException("bad answer"), Budget, CancellationToken.None));
        }

        Assert.Equal("ok", await guard.RunAsync("Engine X", "unix:///x.sock", "going without", _ => Task.FromResult("ok"), Budget, CancellationToken.None));

        var lines = logger.Collector.GetSnapshot().Select(r => r.Message).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("Engine X unreachable or failing at unix:///x.sock (bad answer); going without until it is back", lines[0]);
        Assert.Equal("Engine X reachable again", lines[1]);
    }

    [Fact]
    public async Task A_call_that_ignores_its_token_is_abandoned_at_the_budget()
    {
        var guard = new CollectorGuard(new FakeLogger<CollectorGuard>());
        var never = new TaskCompletionSource<string>();

        var result = await guard.RunAsync("Stuck", "nowhere", "skipped", _ => never.Task, Budget, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(result);
    }

    [Fact]
    public async Task Stopping_the_agent_is_not_swallowed()
    {
        var guard = new CollectorGuard(new FakeLogger<CollectorGuard>());
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            guard.RunAsync("Engine", "nowhere", "x", ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => "", ct), TimeSpan.FromSeconds(5), stopping.Token));
    }
}
