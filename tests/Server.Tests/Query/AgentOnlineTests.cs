using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Query;

/// <summary>Online and offline on the server's clock, moved by the test rather than waited for.</summary>
public sealed class AgentOnlineTests
{
    [Fact]
    public async Task An_agent_goes_offline_once_three_of_its_intervals_pass_without_a_report()
    {
        var last = new DateTime(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc);
        var clock = new FakeTimeProvider(new DateTimeOffset(last));
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, clock: clock);
        var agent = Reports.NewAgentId("online");
        foreach (var seconds in new[] { -20, -10, 0 })
        {
            Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, last.AddSeconds(seconds)))).StatusCode);
        }

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await OnlineAsync(server, agent)); // exactly 3 intervals of 10 s

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await OnlineAsync(server, agent));

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, last.AddSeconds(31)))).StatusCode);
        Assert.True(await OnlineAsync(server, agent));
    }

    private static async Task<bool> OnlineAsync(RunningServer server, string agent)
    {
        var body = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/api/v1/agents?size=200", UriKind.Relative)))!;
        var view = body["data"]!.AsArray().Single(a => (string?)a!["agentId"] == agent)!;
        Assert.Equal(10, (int)view["intervalSeconds"]!);
        return (bool)view["online"]!;
    }
}
