using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackScope.Agent.Engines.Docker;
using StackScope.Agent.Host;
using StackScope.Agent.Sampling;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Agent.Tests.Sampling;

/// <summary>Host and engine shaped into one wire report, over a fake engine on a real unix socket.</summary>
public sealed class ReportSamplerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, 250, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly AgentOptions _options = new() { AgentId = "agent-1", NodeName = "node-1", CollectorTimeoutSeconds = 1 };
    private FakeDockerEngine _fake = null!;
    private DockerEngineClient _client = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDockerEngine.StartAsync(new FakeContainer("web"), new FakeContainer("job", State: "exited"));
        _client = new DockerEngineClient(_fake.Host);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task A_primed_report_carries_the_host_and_every_container_with_docker_stats_figures()
    {
        var sampler = NewSampler(Fixture.Path("proc"));
        await sampler.PrimeAsync(CancellationToken.None);

        var report = (await sampler.SampleAsync(CancellationToken.None))!.Report;

        Assert.Equal(new DateTime(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc), report.SampledAt);
        Assert.Equal(EngineTypes.Docker, report.EngineType);
        Assert.Equal("agent-1", report.AgentId);
        Assert.Equal(["job", "web"], report.Containers.Select(c => c.ContainerName));
        var web = report.Containers.Single(c => c.ContainerName == "web");
        Assert.Equal(("running", FakeDockerEngine.NormalCpuPercent, FakeDockerEngine.NormalMemoryMiB, FakeDockerEngine.NormalMemoryPercent),
            (web.Status, web.CpuPercent, web.MemoryUsageMiB, web.MemoryPercent));
        var job = report.Containers.Single(c => c.ContainerName == "job");
        Assert.Equal(("exited", 0.0, 0.0, 0.0), (job.Status, job.CpuPercent, job.MemoryUsageMiB, job.MemoryPercent));
        Assert.All(report.Containers, c => Assert.Equal((report.SampledAt, "agent-1", "node-1", EngineTypes.Docker), (c.SampledAt, c.AgentId, c.NodeName, c.EngineType)));
    }

    [Fact]
    public async Task A_container_seen_for_the_first_time_reports_zero_cpu_then_the_real_figure()
    {
        var sampler = NewSampler(Fixture.Path("proc"));

        var first = (await sampler.SampleAsync(CancellationToken.None))!.Report.Containers.Single(c => c.ContainerName == "web");
        var second = (await sampler.SampleAsync(CancellationToken.None))!.Report.Containers.Single(c => c.ContainerName == "web");

        Assert.Equal(0, first.CpuPercent);
        Assert.Equal(FakeDockerEngine.NormalMemoryMiB, first.MemoryUsageMiB);
        Assert.Equal(FakeDockerEngine.NormalCpuPercent, second.CpuPercent);
    }

    [Theory]
    [InlineData(FakeAnswer.NeverAnswers)]
    [InlineData(FakeAnswer.ServerError)]
    [InlineData(FakeAnswer.InvalidJson)]
    public async Task An_engine_that_fails_to_list_gives_the_host_without_containers(FakeAnswer answer)
    {
        _fake.List = answer;
        var sampler = NewSampler(Fixture.Path("proc"));

        var report = (await sampler.SampleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15)))?.Report;

        Assert.NotNull(report);
        Assert.Empty(report.Containers);
        Assert.True(report.MemoryTotalMiB > 0);
    }

    [Fact]
    public async Task A_host_that_cannot_be_read_skips_the_report()
    {
        var empty = Directory.CreateTempSubdirectory("ss-noproc-").FullName;
        try
        {
            Assert.Null(await NewSampler(empty).SampleAsync(CancellationToken.None));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    private ReportSampler NewSampler(string procRoot) => new(
        _options, new HostCollector(procRoot), new FileSystemCollector(procRoot),
        [new DockerEngine(_client, null, TimeSpan.FromSeconds(_options.CollectorTimeoutSeconds), new FakeLogger<DockerEngine>())],
        new ContainerFigures(), new CollectorGuard(new FakeLogger<CollectorGuard>()), _clock, new FakeLogger<ReportSampler>());
}
