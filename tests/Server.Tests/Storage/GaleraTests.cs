using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using MySqlConnector;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Storage;

/// <summary>
/// ss-server on a real three-node MariaDB Galera cluster (scripts/galera.sh): two servers starting at the same
/// instant against two different nodes create the schema once and both become ready (a node-local GET_LOCK let them
/// migrate at once); a node that refuses queries with 1047 is "database away" (503 with Retry-After), and the server
/// goes on once it takes them again.
/// </summary>
public sealed class GaleraTests
{
    private static bool Stopping(RunningServer server) =>
        ((IHostApplicationLifetime)server.Services.GetService(typeof(IHostApplicationLifetime))!).ApplicationStopping.IsCancellationRequested;

    [Fact]
    public async Task Two_servers_starting_at_once_on_two_nodes_migrate_once_and_both_become_ready()
    {
        for (var round = 0; round < 5; round++)
        {
            await using var first = new MariaDbTestDatabase(GaleraCluster.Node(1));
            var second = first.Through(GaleraCluster.Node(3));
            // Built and started on two threads released together, so their migrations overlap.
            using var go = new ManualResetEventSlim();
            var starting = new[] { first, second }.Select(d => Task.Run(() =>
            {
                go.Wait();
                return RunningServer.StartAsync(d);
            })).ToList();
            go.Set();
            var servers = await Task.WhenAll(starting);
            try
            {
                Assert.All(servers, s => Assert.False(Stopping(s), $"round {round}: a server is stopping"));
                foreach (var server in servers)
                {
                    Assert.Equal(HttpStatusCode.OK, (await server.RawClient.GetAsync("/readyz")).StatusCode);
                }

                var versions = (await first.QueryAsync("SELECT version FROM schema_version ORDER BY version")).Select(r => Convert.ToInt32(r["version"])).ToList();
                Assert.Equal(Enumerable.Range(1, versions.Count), versions);
                Assert.True(versions.Count >= 10, $"round {round}: {versions.Count} versions");
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }

    [Fact]
    public async Task A_migration_under_way_through_another_node_holds_this_servers_migration_back()
    {
        // What a server migrating through node 1 holds: the lock row, as its migrator writes it.
        await using var database = new MariaDbTestDatabase(GaleraCluster.Node(1));
        await using (var elsewhere = new MySqlConnection(GaleraCluster.Node(1)))
        {
            await elsewhere.OpenAsync();
            await using var command = new MySqlCommand(
                $"CREATE DATABASE `{new MySqlConnectionStringBuilder(database.ConnectionString).Database}`", elsewhere);
            await command.ExecuteNonQueryAsync();
        }

        await database.ExecuteAsync("CREATE TABLE schema_lock (name VARCHAR(64) NOT NULL PRIMARY KEY, holder VARCHAR(128) NOT NULL, expires_at DATETIME NOT NULL)");
        await database.ExecuteAsync("INSERT INTO schema_lock VALUES ('schema', 'another-server', UTC_TIMESTAMP() + INTERVAL 5 MINUTE)");

        var starting = RunningServer.StartAsync(database.Through(GaleraCluster.Node(3)));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(starting.IsCompleted, "the server migrated while another held the schema lock");
        Assert.Empty(await database.QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_version'"));

        await database.ExecuteAsync("DELETE FROM schema_lock");
        await using var server = await starting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await server.RawClient.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task A_node_refusing_queries_is_the_database_away_and_the_server_carries_on()
    {
        await using var database = new MariaDbTestDatabase(GaleraCluster.Node(2));
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("gal");
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agent));
        var t = WireTimestamp.Truncate(DateTime.UtcNow).AddSeconds(-30);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(client, Reports.Seed(agent, t))).StatusCode);

        await using (await GaleraCluster.RejectQueriesAsync(2))
        {
            using var refused = await Reports.PostAsync(client, Reports.Seed(agent, t.AddSeconds(10)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains($"\"resultCode\":\"{ResultCodes.StorageUnavailable}\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.False(Stopping(server), "the server is stopping");
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(client, Reports.Seed(agent, t.AddSeconds(10)))).StatusCode);
        Assert.Equal(2, await database.CountAsync("server", agent));
    }
}
