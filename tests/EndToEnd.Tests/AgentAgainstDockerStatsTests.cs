using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;
using static StackScope.EndToEnd.Tests.Infrastructure.Figures;

namespace StackScope.EndToEnd.Tests;

/// <summary>The agent's figures for real containers on a real engine, against <c>docker stats</c> over the same second.</summary>
[Collection(DockerTestGroup.Name)]
public sealed class AgentAgainstDockerStatsTests(TestContainers containers)
{
    /// <summary>Both ways the agent reads container stats: the cgroup files (default) and the Engine API.</summary>
    [Theory]
    [InlineData("cgroup files", "/sys/fs/cgroup", "the containers' cgroup files")]
    [InlineData("engine api", "", "its API")]
    public async Task Agent_reports_what_docker_stats_shows(string path, string cgroupRoot, string expectedSource)
    {
        Assert.NotEmpty(path);
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("e2e");

        // Five paired rounds, each agent run beside a docker stats run over the same second. On two cores with
        // 1.5 of them spinning, the loops' share moves by several points from one second to the next, so CPU is
        // judged by the median of the per-round differences: one round whose windows saw different shares is not decisive.
        var rounds = new List<(AgentOutput Agent, Dictionary<string, DockerStatsRow> Docker)>();
        for (var round = 0; round < 5; round++)
        {
            var agentRun = AgentBinary.OnceAsync(server, agentId, "--Agent:CgroupRoot", cgroupRoot);
            var statsRun = DockerEngine.RunAsync("stats", "--no-stream", "--format", DockerStatsRow.Format);
            var run = await agentRun;
            Assert.Contains("Docker engine: reading container CPU and memory from " + expectedSource, run.Error, StringComparison.Ordinal);
            rounds.Add((AgentOutput.Parse(run.Output), DockerStatsRow.Parse(await statsRun)));
        }

        var (agent, docker) = rounds[^1];

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
        AssertCpu(rounds, containers.Busy, expected: 100);
        AssertCpu(rounds, containers.Limited, expected: 50);
        AssertCpu(rounds, containers.Idle, expected: 0);

        // Memory within 1 MiB of docker stats; the hog holds ~50 MiB of its 128 MiB limit.
        foreach (var name in new[] { containers.Idle, containers.Busy, containers.Limited, containers.MemoryHog })
        {
            Assert.InRange(Number(agent.Container(name), "con_memory_usage"), docker[name].MemoryMiB - 1, docker[name].MemoryMiB + 1);
        }

        var hog = agent.Container(containers.MemoryHog);
        Assert.InRange(Number(hog, "con_memory_usage"), 49, 53);
        Assert.InRange(Number(hog, "con_memory_percent"), 100.0 * 49 / 128, 100.0 * 53 / 128);

        // Exited: zeros. Paused: its real memory and 0 % CPU, as docker stats shows it.
        Assert.Equal(0, Number(agent.Container(containers.Exited), "con_cpu_percent"));
        Assert.Equal(0, Number(agent.Container(containers.Exited), "con_memory_usage"));
        Assert.Equal(0, Number(agent.Container(containers.Exited), "con_memory_percent"));
        Assert.Null(agent.Container(containers.Exited)["con_pids"]);
        Assert.Equal(0, Number(agent.Container(containers.Paused), "con_cpu_percent"));
        Assert.InRange(Number(agent.Container(containers.Paused), "con_memory_usage"), docker[containers.Paused].MemoryMiB - 1, docker[containers.Paused].MemoryMiB + 1);
        Assert.True(Number(agent.Container(containers.Paused), "con_memory_usage") > 0);

        // Lifecycle fields from inspect, for running and stopped containers alike.
        foreach (var name in new[] { containers.Idle, containers.Exited, containers.Paused })
        {
            var inspect = (await DockerEngine.RunAsync("inspect", "-f", "{{.Id}}|{{.Config.Image}}|{{.RestartCount}}|{{.State.ExitCode}}|{{.State.OOMKilled}}", name)).Trim().Split('|');
            var record = agent.Container(name);
            Assert.Equal(inspect[0], (string?)record["container_id"]);
            Assert.Equal(inspect[1], (string?)record["image"]);
            Assert.Equal(int.Parse(inspect[2], System.Globalization.CultureInfo.InvariantCulture), (int)record["restart_count"]!);
            Assert.Equal(int.Parse(inspect[3], System.Globalization.CultureInfo.InvariantCulture), (int)record["exit_code"]!);
            Assert.Equal(bool.Parse(inspect[4]), (bool)record["oom_killed"]!);
            Assert.NotNull(record["started_at"]);
        }

        Assert.NotNull(agent.Container(containers.Exited)["finished_at"]);
        Assert.Null(agent.Container(containers.Idle)["finished_at"]);

        // The memory limit docker stats divides by: the container's own, else the host's memory.
        Assert.Equal(128L * 1024 * 1024, (long)agent.Container(containers.MemoryHog)["con_memory_limit"]!);
        Assert.Equal((long)Number(agent.Host, "ser_memory_total"), (long)agent.Container(containers.Idle)["con_memory_limit"]! / (1024 * 1024));

        // Host: online CPUs of this machine, memory figures consistent, one timestamp for every record.
        Assert.Equal(Environment.ProcessorCount, (int)agent.Host["ser_cpu_count"]!);
        Assert.True(Number(agent.Host, "ser_memory_used") <= Number(agent.Host, "ser_memory_total"));
        Assert.All(agent.Containers, c => Assert.Equal((string?)agent.Host["ser_get_datetime"], (string?)c["con_get_datetime"]));
    }

    private static void AssertCpu(List<(AgentOutput Agent, Dictionary<string, DockerStatsRow> Docker)> rounds, string name, double expected)
    {
        var difference = Median(rounds.Select(r => Number(r.Agent.Container(name), "con_cpu_percent") - r.Docker[name].CpuPercent));
        Assert.InRange(difference, -5, 5);
        Assert.InRange(Median(rounds.Select(r => Number(r.Agent.Container(name), "con_cpu_percent"))), expected - 10, expected + 10);
    }
}
