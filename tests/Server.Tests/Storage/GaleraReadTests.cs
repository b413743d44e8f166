using System.Net;
using System.Text.Json.Nodes;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Storage;

/// <summary>
/// Storage:ReadConnectionString on the real Galera cluster: the query API reads through another node than the one
/// written (that node refusing queries stops the queries, not ingest), and with wsrep_sync_wait a report answered 200
/// is in the very next query.
/// </summary>
public sealed class GaleraReadTests
{
    [Fact]
    public async Task Queries_read_through_their_own_node_and_see_every_report_answered_before()
    {
        await using var database = new MariaDbTestDatabase(GaleraCluster.Node(1));
        var reads = database.Through(GaleraCluster.Node(3));
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Storage:ReadConnectionString"] = reads.ConnectionString,
        });
        var agent = Reports.NewAgentId("read");
        var t = WireTimestamp.Truncate(DateTime.UtcNow).AddMinutes(-5);

        // Read-your-writes across nodes: each report is in the query that follows its 200 at once.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, t.AddSeconds(10 * i)))).StatusCode);
            var latest = JsonNode.Parse(await server.Client.GetStringAsync(new Uri($"/api/v1/agents/{agent}/containers", UriKind.Relative)))!;
            var sampled = latest["data"]!.AsArray().Select(c => c!["sampledAt"]!.GetValue<DateTime>().ToUniversalTime()).Distinct().ToList();
            Assert.Equal([t.AddSeconds(10 * i)], sampled);
        }

        await using (await GaleraCluster.RejectQueriesAsync(3))
        {
            // The read node away: queries answer 503, ingest (on node 1) goes on.
            using var query = await server.Client.GetAsync(new Uri($"/api/v1/agents/{agent}/containers", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, query.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, t.AddSeconds(300)))).StatusCode);
        }

        Assert.Equal(21, await database.CountAsync("server", agent));
        using var back = await server.Client.GetAsync(new Uri($"/api/v1/agents/{agent}/containers", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task The_read_port_serves_the_queries_of_a_replica_writing_through_the_writer_port()
    {
        await using var database = new MariaDbTestDatabase(GaleraCluster.Writer);
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Storage:ReadConnectionString"] = database.Through(GaleraCluster.Readers).ConnectionString,
        });
        var agent = Reports.NewAgentId("readers");
        var t = WireTimestamp.Truncate(DateTime.UtcNow).AddMinutes(-1);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, t))).StatusCode);
        var agents = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/api/v1/agents?size=200", UriKind.Relative)))!;
        Assert.Contains(agents["data"]!.AsArray(), a => (string?)a!["agentId"] == agent);
    }
}
