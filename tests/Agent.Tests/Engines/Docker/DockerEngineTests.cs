using Microsoft.Extensions.Logging.Testing;
using StackScope.Agent.Engines.Docker;
using StackScope.Tests.Common;

namespace StackScope.Agent.Tests.Engines.Docker;

/// <summary>The Docker engine over a real unix socket to a fake engine that misbehaves on demand.</summary>
public sealed class DockerEngineTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Containers_whose_stats_fail_are_left_out_and_the_others_are_read()
    {
        await using var fake = await FakeDockerEngine.StartAsync(
            new FakeContainer("good-a"),
            new FakeContainer("hangs", Stats: FakeAnswer.NeverAnswers),
            new FakeContainer("truncated", Stats: FakeAnswer.TruncatedBody),
            new FakeContainer("garbage", Stats: FakeAnswer.InvalidJson),
            new FakeContainer("broken", Stats: FakeAnswer.ServerError),
            new FakeContainer("vanished", Stats: FakeAnswer.NotFound),
            new FakeContainer("stopped", State: "exited"),
            new FakeContainer("good-b"));
        using var client = new DockerEngineClient(fake.Host);
        var engine = new DockerEngine(client, null, Budget, new FakeLogger<DockerEngine>());

        var started = System.Diagnostics.Stopwatch.StartNew();
        var samples = await engine.SampleAsync(CancellationToken.None);

        Assert.Equal(["good-a", "good-b", "stopped"], samples.Select(s => s.Name));
        Assert.All(samples.Where(s => s.State == "running"), s => Assert.NotNull(s.Counters!.Cpu));
        Assert.Null(samples.Single(s => s.Name == "stopped").Counters);
        Assert.Equal(100UL * 1048576, samples[0].Counters!.Memory.UsageBytes);
        Assert.Equal(20UL * 1048576, samples[0].Counters!.Memory.InactiveFileBytes);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(9), $"took {started.Elapsed}: the hung stats call was not cut at its budget");
    }

    [Fact]
    public async Task A_failing_container_is_logged_once_while_it_fails_and_again_when_it_answers()
    {
        await using var fake = await FakeDockerEngine.StartAsync(new FakeContainer("flaky", Stats: FakeAnswer.ServerError));
        using var client = new DockerEngineClient(fake.Host);
        var logger = new FakeLogger<DockerEngine>();
        var engine = new DockerEngine(client, null, Budget, logger);

        for (var i = 0; i < 3; i++)
        {
            Assert.Empty(await engine.SampleAsync(CancellationToken.None));
        }

        // Asked again in the background while it fails: back in the samples once a call has answered.
        fake.Containers = [new FakeContainer("flaky")];
        var back = false;
        for (var i = 0; i < 20 && !back; i++)
        {
            back = (await engine.SampleAsync(CancellationToken.None)).Count == 1;
            await Task.Delay(50);
        }

        Assert.True(back, "flaky never came back");

        var lines = logger.Collector.GetSnapshot().Select(r => r.Message).ToList();
        Assert.Single(lines, l => l.Contains("Stats of container flaky failed", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Stats of container flaky answer again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_container_whose_stats_hang_costs_its_budget_once_not_every_sample()
    {
        var budget = TimeSpan.FromSeconds(5);
        await using var fake = await FakeDockerEngine.StartAsync(new FakeContainer("good"), new FakeContainer("hangs", Stats: FakeAnswer.NeverAnswers));
        using var client = new DockerEngineClient(fake.Host);
        var engine = new DockerEngine(client, null, budget, new FakeLogger<DockerEngine>());

        Assert.Equal(["good"], (await engine.SampleAsync(CancellationToken.None)).Select(s => s.Name)); // waits the budget once
        for (var i = 0; i < 4; i++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(["good"], (await engine.SampleAsync(CancellationToken.None)).Select(s => s.Name));
            Assert.True(started.Elapsed < budget / 2, $"sample {i + 2} took {started.Elapsed}: it waited for the hung container again");
        }
    }

    [Theory]
    [InlineData(FakeAnswer.ServerError)]
    [InlineData(FakeAnswer.InvalidJson)]
    [InlineData(FakeAnswer.TruncatedBody)]
    public async Task A_list_that_fails_throws_for_the_guard_to_handle(FakeAnswer answer)
    {
        await using var fake = await FakeDockerEngine.StartAsync(new FakeContainer("a"));
        fake.List = answer;
        using var client = new DockerEngineClient(fake.Host);
        var engine = new DockerEngine(client, null, Budget, new FakeLogger<DockerEngine>());

        await Assert.ThrowsAnyAsync<Exception>(() => engine.SampleAsync(CancellationToken.None));
    }
}
