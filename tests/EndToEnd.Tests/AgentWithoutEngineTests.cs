using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

public sealed class AgentWithoutEngineTests
{
    [Fact]
    public async Task With_the_engine_unreachable_the_report_carries_the_host_and_no_containers()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("noengine");

        var run = await AgentBinary.OnceAsync(server, agentId, "--Agent:DockerHost", "unix:///nonexistent/docker.sock");

        Assert.Equal(0, run.ExitCode);
        var output = AgentOutput.Parse(run.Output);
        Assert.Empty(output.Containers);
        Assert.Equal("200", output.Status);
        // Logs go to stderr (once, naming the address it tried); stdout is only JSON and the answer.
        Assert.Single(run.Error.Split('\n'), l => l.Contains("Docker engine unreachable", StringComparison.Ordinal) &&
            l.Contains("unix:///nonexistent/docker.sock", StringComparison.Ordinal));
        Assert.All(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipLast(2), l => Assert.True(l.StartsWith('{') || l.StartsWith(' ') || l.StartsWith('}'), l));
        Assert.Equal(1, await database.CountAsync("server", agentId));
        Assert.Equal(0, await database.CountAsync("container", agentId));
    }
}
