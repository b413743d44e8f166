using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The real ss-agent (Native AOT under scripts/test.sh) against a Docker engine that misbehaves: one bad
/// answer costs that container's place in a report, never the report, the delivery or the agent.
/// </summary>
public sealed class AgentEngineFaultTests
{
    private static FakeContainer[] Faulty =>
    [
        new("good-a"),
        new("hangs", Stats: FakeAnswer.NeverAnswers),
        new("truncated", Stats: FakeAnswer.TruncatedBody),
        new("garbage", Stats: FakeAnswer.InvalidJson),
        new("broken", Stats: FakeAnswer.ServerError),
        new("vanished", Stats: FakeAnswer.NotFound),
        new("stopped", State: "exited"),
        new("good-b"),
    ];

    [Fact]
    public async Task Once_prints_and_stores_the_answering_containers_and_exits_0()
    {
        await using var fake = await FakeDockerEngine.StartAsync(Faulty);
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("fault-once");

        var run = await AgentBinary.OnceAsync(server, agentId,
            "--Agent:DockerHost", fake.Host, "--Agent:CgroupRoot", "", "--Agent:CollectorTimeoutSeconds", "2");

        Assert.True(run.ExitCode == 0, run.Output);
        var output = AgentOutput.Parse(run.Output);
        Assert.Equal("200", output.Status);
        Assert.Equal(["good-a", "good-b", "stopped"], output.Containers.Select(c => (string)c["container_name"]!));
        Assert.Equal(FakeDockerEngine.NormalMemoryMiB, (double)output.Container("good-a")["con_memory_usage"]!);
        Assert.Equal(3, await database.CountAsync("container", agentId));
    }

    [Fact]
    public async Task A_running_agent_keeps_sampling_and_delivering_through_every_kind_of_bad_answer()
    {
        await using var fake = await FakeDockerEngine.StartAsync(Faulty);
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("fault-run");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-spool-").FullName;
        string[] args =
        [
            "--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:IntervalSeconds", "1",
            "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId),
            "--Agent:CgroupRoot", "", "--Agent:CollectorTimeoutSeconds", "1",
        ];
        await using var agent = RunningAgent.StartWith(null, args, fake.Host);

        // The hung stats call used to escape as TaskCanceledException after the HTTP timeout (10 s) and stop the
        // agent with exit code 0; 14 reports take well past that.
        await Delivered.WaitUntilAsync(async () => await database.CountAsync("server", agentId) >= 14, "14 reports delivered");
        Assert.False(agent.HasExited, string.Join('\n', agent.Lines));

        // Then the list itself fails: reports go on with the host alone.
        fake.List = FakeAnswer.NeverAnswers;
        await Delivered.WaitUntilAsync(async () => await HostOnlyReportsAsync(database, agentId) >= 2, "two reports without containers while the list hangs");

        var exitCode = await agent.StopAsync();
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n" + string.Join('\n', agent.Lines));
        var names = (await database.QueryAsync("SELECT DISTINCT container_name FROM container WHERE agent_id = @a", ("@a", agentId)))
            .Select(r => (string)r["container_name"]!).Order().ToList();
        Assert.Equal(["good-a", "good-b", "stopped"], names);
        Assert.Single(agent.Lines, l => l.Contains("Stats of container hangs failed", StringComparison.Ordinal));
        Assert.Single(agent.Lines, l => l.Contains("Docker engine unreachable", StringComparison.Ordinal));
        Directory.Delete(spool, recursive: true);
    }

    private static async Task<long> HostOnlyReportsAsync(TestDatabase database, string agentId)
    {
        var rows = await database.QueryAsync(
            "SELECT COUNT(*) AS n FROM server s WHERE agent_id = @a AND NOT EXISTS " +
            "(SELECT 1 FROM container c WHERE c.agent_id = s.agent_id AND c.con_get_datetime = s.ser_get_datetime)", ("@a", agentId));
        return Convert.ToInt64(rows[0]["n"], System.Globalization.CultureInfo.InvariantCulture);
    }
}
