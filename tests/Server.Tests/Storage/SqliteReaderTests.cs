using System.Net;
using System.Text.Json.Nodes;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Storage;

/// <summary>WAL lets readers go on while a writer holds the file's lock; nothing the server runs on open may undo that.</summary>
public sealed class SqliteReaderTests
{
    [Fact]
    public async Task A_query_is_answered_while_another_connection_holds_the_write_lock()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("reader");
        var t0 = new DateTime(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, t0))).StatusCode);
        await server.Credentials.ReadTokenAsync(); // issuing writes

        await using var writeLock = await database.HoldWriteLockAsync();

        // Several reads, so some open a connection the pool did not have yet. The server's busy timeout is 30 s: a read
        // that waited for the lock would run into the 15 s here instead.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var reads = Enumerable.Range(0, 4).Select(_ => server.Client.GetStringAsync(new Uri("/api/v1/agents?size=200", UriKind.Relative), timeout.Token));
        foreach (var body in await Task.WhenAll(reads))
        {
            Assert.Contains(JsonNode.Parse(body)!["data"]!.AsArray(), a => (string?)a!["agentId"] == agent);
        }
    }
}
