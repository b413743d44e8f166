using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Docker accepts container names longer than the wire's 255 characters; the server refuses such a name, which used
/// to cost the whole report (host and every container) for as long as that container existed.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class AgentLongNameTests(TestContainers containers)
{
    [Fact]
    public async Task A_300_character_container_name_is_reported_as_a_stable_stand_in_and_the_report_is_stored()
    {
        var name = containers.Prefix + "long-" + new string('x', 300 - containers.Prefix.Length - 5);
        Assert.Equal(300, name.Length);
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", name, DockerEngine.Image, "sleep", "600");
        try
        {
            await using var database = new SqliteTestDatabase();
            await using var server = await RunningServer.StartAsync(database);
            var agentId = Reports.NewAgentId("long");

            var first = await AgentBinary.OnceAsync(server, agentId);
            var second = await AgentBinary.OnceAsync(server, agentId);

            Assert.True(first.ExitCode == 0, first.Output + first.Error);
            var expected = WireNames.Fit(name, isContainerName: true);
            Assert.Equal(WireNames.MaxLength, expected.Length);
            Assert.StartsWith(name[..200], expected, StringComparison.Ordinal);
            Assert.NotNull(AgentOutput.Parse(first.Output).Container(expected));
            Assert.NotNull(AgentOutput.Parse(second.Output).Container(expected)); // the same stand-in every time
            Assert.Contains(containers.Idle, AgentOutput.Parse(first.Output).Containers.Select(c => (string)c["container_name"]!));
            Assert.Single(first.Error.Split('\n'), l => l.Contains("breaks the wire's rule", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
            Assert.Equal(2, await database.CountAsync("server", agentId));
            var stored = await database.QueryAsync("SELECT COUNT(*) AS n FROM container WHERE agent_id = @a AND container_name = @n", ("@a", agentId), ("@n", expected));
            Assert.Equal(2L, Convert.ToInt64(stored[0]["n"], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            await DockerEngine.RunAsync("rm", "-f", name);
        }
    }
}
