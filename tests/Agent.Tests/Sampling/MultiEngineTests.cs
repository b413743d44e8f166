using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackScope.Agent.Engines;
using StackScope.Agent.Engines.Docker;
using StackScope.Agent.Host;
using StackScope.Agent.Sampling;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Agent.Tests.Sampling;

/// <summary>One agent, two engines (Docker and Podman's compatible API, both fakes on real unix sockets): one report.</summary>
public sealed class MultiEngineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, 250, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly AgentOptions _options = new() { AgentId = "agent-1", NodeName = "node-1", CollectorTimeoutSeconds = 1 };
    private FakeDockerEngine _docker = null!;
    private FakeDockerEngine _podman = null!;
    private readonly List<DockerEngineClient> _clients = [];

    public async Task InitializeAsync()
    {
        _docker = await FakeDockerEngine.StartAsync(new FakeContainer("web"), new FakeContainer("job", State: "exited"));
        // Podman's words where its compatible API passes them through: "stopped", "configured".
        _podman = await FakeDockerEngine.StartAsync(new FakeContainer("web"), new FakeContainer("db", State: "stopped"), new FakeContainer("new", State: "configured"));
    }

    public async Task DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await _docker.DisposeAsync();
        await _podman.DisposeAsync();
    }

    [Fact]
    public async Task Both_engines_go_in_one_report_each_container_with_its_engine_and_a_shared_name_told_apart()
    {
        var report = (await Sampler(Engine(_docker.Host, EngineDialect.Docker), Engine(_podman.Host, EngineDialect.Podman)).SampleAsync(CancellationToken.None))!.Report;

        Assert.Equal(EngineTypes.Docker, report.EngineType);
        Assert.Equal([EngineTypes.Docker, EngineTypes.Podman], report.EngineTypes);
        Assert.Null(report.UnreadEngines);
        Assert.Equal(
            [("job", "docker", "exited"), ("web", "docker", "running"), ("db", "podman", "exited"), ("new", "podman", "created"), ("web@podman", "podman", "running")],
            report.Containers.Select(c => (c.ContainerName, c.EngineType, c.Status)));
        Assert.Equal(report.Containers.Count, report.Containers.Select(c => c.ContainerName).Distinct().Count());
    }

    [Fact]
    public async Task An_engine_away_costs_only_its_own_containers_and_is_named_in_the_report()
    {
        var missing = "unix://" + Path.Combine(Path.GetTempPath(), $"ss-no-engine-{Guid.NewGuid():N}.sock");
        var logger = new FakeLogger<CollectorGuard>();
        var sampler = Sampler(logger, Engine(missing, EngineDialect.Docker), Engine(_podman.Host, EngineDialect.Podman));

        var first = (await sampler.SampleAsync(CancellationToken.None))!.Report;
        var second = (await sampler.SampleAsync(CancellationToken.None))!.Report;

        // The first engine that answered names the report; the one away is listed, its containers are simply absent.
        Assert.Equal(EngineTypes.Podman, first.EngineType);
        Assert.Equal([EngineTypes.Podman, EngineTypes.Docker], first.EngineTypes);
        Assert.Equal([EngineTypes.Docker], first.UnreadEngines);
        Assert.Equal(["db", "new", "web"], first.Containers.Select(c => c.ContainerName));
        Assert.All(first.Containers, c => Assert.Equal(EngineTypes.Podman, c.EngineType));
        Assert.Equal([EngineTypes.Docker], second.UnreadEngines);
        // One warning for the engine, not one per report.
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("Docker engine", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Priming_two_busy_engines_at_once_keeps_the_baselines_intact()
    {
        // Both engines answer together with containers that come and go, so their baselines are written at the same
        // moment: the table behind them is not thread-safe (a CI run's agent died of exactly this while priming).
        var gate = new ChurningEngine.Gate();
        var sampler = Sampler(new ChurningEngine("docker", gate), new ChurningEngine("podman", gate));

        for (var round = 0; round < 20; round++)
        {
            await sampler.PrimeAsync(CancellationToken.None);
        }

        var report = (await sampler.SampleAsync(CancellationToken.None))!.Report;
        Assert.Equal(2 * ChurningEngine.Count, report.Containers.Count);
    }

    private DockerEngine Engine(string host, EngineDialect dialect)
    {
        var client = new DockerEngineClient(host);
        _clients.Add(client);
        return new DockerEngine(client, null, TimeSpan.FromSeconds(1), new FakeLogger<DockerEngine>(), dialect: dialect);
    }

    private ReportSampler Sampler(params IContainerEngine[] engines) => Sampler(new FakeLogger<CollectorGuard>(), engines);

    private ReportSampler Sampler(FakeLogger<CollectorGuard> guardLogger, params IContainerEngine[] engines) => new(
        _options, new HostCollector(Fixture.Path("proc")), new FileSystemCollector(Fixture.Path("proc")), engines,
        new ContainerFigures(), new CollectorGuard(guardLogger), _clock, new FakeLogger<ReportSampler>());

    /// <summary>An engine whose running containers are all new on every read, answering only when its peer does too.</summary>
    private sealed class ChurningEngine(string key, ChurningEngine.Gate gate) : IContainerEngine
    {
        public const int Count = 3000;
        private int _reads;

        public string EngineType => key;

        public string Key => key;

        public string DisplayName => key;

        public string Address => "fake://" + key;

        public async Task<IReadOnlyList<ContainerSample>> SampleAsync(CancellationToken cancellationToken)
        {
            var read = ++_reads;
            await gate.ArriveAsync();
            return [.. Enumerable.Range(0, Count).Select(i => new ContainerSample($"{read}-{i}", $"c{i}", "running",
                new ContainerCounters(new CpuSnapshot((ulong)i, (ulong)read * 1_000_000, 2), new MemoryCounters(1, 2, 0))))];
        }

        public IAsyncEnumerable<EngineEvent> WatchEventsAsync(long? sinceNanos, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        /// <summary>Lets two readers through together, on the thread pool.</summary>
        public sealed class Gate
        {
            private readonly Lock _lock = new();
            private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private int _waiting;

            public Task ArriveAsync()
            {
                lock (_lock)
                {
                    var open = _open;
                    if (++_waiting == 2)
                    {
                        _waiting = 0;
                        _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
                        open.SetResult();
                    }

                    return open.Task;
                }
            }
        }
    }
}
