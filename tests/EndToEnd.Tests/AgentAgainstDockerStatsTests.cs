using System.Text.Json.Nodes;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Server.Tests.Infrastructure;

namespace StackScope.EndToEnd.Tests;

/// <summary>The agent's figures for real containers on a real engine, against <c>docker stats</c> over the same second.</summary>
[Collection(DockerTestGroup.Name)]
public sealed class AgentAgainstDockerStatsTests(TestContainers containers)
{
    /// <summary>Both ways the agent reads container stats: the cgroup files (default) and the Engine API.</summary>
    [Theory]
    [InlineData("cgroup files", "/sys/fs/cgroup", "the containers' cgroup files")]
    [InlineData("engine api", "", "the Docker Engine API")]
    public async Task Agent_reports_what_docker_stats_shows(string path, string cgroupRoot, string expectedSource)
    {
        Assert.NotEmpty(path);
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("e2e");

        var agentRun = AgentBinary.OnceAsync(server.BaseAddress, agentId, "--Agent:CgroupRoot", cgroupRoot);
        var statsRun = DockerEngine.RunAsync("stats", "--no-stream", "--format", DockerStatsRow.Format);
        var output = (await agentRun).Output;
        Assert.Contains("Reading container CPU and memory from " + expectedSource, output, StringComparison.Ordinal);
        var agent = AgentOutput.Parse(output);
        var docker = DockerStatsRow.Parse(await statsRun);

        Assert.Equal("200", agent.Status);

        // Status: exactly the engine's state word, for every kind, running or not.
        foreach (var name in new[] { containers.Idle, containers.Busy, containers.Limited, containers.MemoryHog, containers.Exited, containers.Paused })
        {
            var state = (await DockerEngine.RunAsync("inspect", "-f", "{{.State.Status}}", name)).Trim();
            Assert.Equal(state, (string?)agent.Container(name)["status"]);
        }

        Assert.Equal("exited", (string?)agent.Container(containers.Exited)["status"]);
        Assert.Equal("paused", (string?)agent.Container(containers.Paused)["status"]);

        // CPU within 5 points of docker stats, and each load where it should be.
        AssertCpu(agent, docker, containers.Busy, expected: 100);
        AssertCpu(agent, docker, containers.Limited, expected: 50);
        AssertCpu(agent, docker, containers.Idle, expected: 0);

        // Memory within 1 MiB of docker stats; the hog holds ~50 MiB of its 128 MiB limit.
        foreach (var name in new[] { containers.Idle, containers.Busy, containers.Limited, containers.MemoryHog })
        {
            Assert.InRange(Number(agent.Container(name), "con_memory_usage"), docker[name].MemoryMiB - 1, docker[name].MemoryMiB + 1);
        }

        var hog = agent.Container(containers.MemoryHog);
        Assert.InRange(Number(hog, "con_memory_usage"), 49, 53);
        Assert.InRange(Number(hog, "con_memory_percent"), 100.0 * 49 / 128, 100.0 * 53 / 128);

        // Not running: zeros.
        foreach (var name in new[] { containers.Exited, containers.Paused })
        {
            Assert.Equal(0, Number(agent.Container(name), "con_cpu_percent"));
            Assert.Equal(0, Number(agent.Container(name), "con_memory_usage"));
            Assert.Equal(0, Number(agent.Container(name), "con_memory_percent"));
        }

        // Host: online CPUs of this machine, memory figures consistent, one timestamp for every record.
        Assert.Equal(Environment.ProcessorCount, (int)agent.Host["ser_cpu_count"]!);
        Assert.True(Number(agent.Host, "ser_memory_used") <= Number(agent.Host, "ser_memory_total"));
        Assert.All(agent.Containers, c => Assert.Equal((string?)agent.Host["ser_get_datetime"], (string?)c["con_get_datetime"]));
    }

    private static void AssertCpu(AgentOutput agent, Dictionary<string, DockerStatsRow> docker, string name, double expected)
    {
        var cpu = Number(agent.Container(name), "con_cpu_percent");
        Assert.InRange(cpu, docker[name].CpuPercent - 5, docker[name].CpuPercent + 5);
        Assert.InRange(cpu, expected - 10, expected + 10);
    }

    private static double Number(JsonObject record, string field) => record[field]!.GetValue<double>();
}
