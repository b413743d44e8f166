using System.Diagnostics;
using System.Net.Http.Headers;
using MySqlConnector;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The database node ss-server writes to (HAProxy's writer on the three-node Galera cluster) SIGKILLed under steady
/// load: ingest resumes through another node within 15 s, no answer but 503 in between, every report answered 200
/// is stored, a real agent's spooled reports all arrive once; the node restarts, rejoins and holds the same rows as
/// the others.
/// </summary>
public sealed class GaleraWriterKillTests
{
    private static readonly string Cluster = Environment.GetEnvironmentVariable("SS_TEST_GALERA_DIR")
        ?? throw new InvalidOperationException("SS_TEST_GALERA_DIR is not set: run the tests with scripts/test.sh (scripts/galera.sh)");

    private static async Task GaleraAsync(params string[] args)
    {
        var run = await Cli.RunAsync(Path.Combine(MariaDb.RepositoryRoot, "scripts", "galera.sh"), args, null, 300);
        Assert.True(run.ExitCode == 0, $"galera.sh {string.Join(' ', args)}: {run.Output}{run.Error}");
    }

    // The server rows of the test's database on one node; a read that first waits for what the node has yet to apply.
    private static async Task<long> CountAsync(string server, string databaseName)
    {
        await using var connection = new MySqlConnection(new MySqlConnectionStringBuilder(server) { Database = databaseName }.ConnectionString);
        await connection.OpenAsync();
        await using (var wait = new MySqlCommand("SET SESSION wsrep_sync_wait = 1", connection))
        {
            await wait.ExecuteNonQueryAsync();
        }

        await using var command = new MySqlCommand("SELECT COUNT(*) FROM server", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_writer_node_killed_under_load_loses_nothing_and_rejoins_with_the_same_rows()
    {
        await using var database = new MariaDbTestDatabase(GaleraCluster.Writer);
        await database.InitializeAsync();
        var synthetic = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var id = Reports.NewAgentId("galload");
            synthetic[id] = await TokenIssuer.AgentTokenAsync(database, id);
        }

        var probeId = Reports.NewAgentId("galprobe");
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        probe.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenIssuer.AgentTokenAsync(database, probeId));
        var agentId = Reports.NewAgentId("galagent");
        var spool = Directory.CreateTempSubdirectory("ss-galera-spool-").FullName;
        await using var server = await ServerProcess.StartAsync(Ports.Free(), ServerProcess.StorageArgs(database));
        probe.BaseAddress = server.BaseAddress;
        await using var agent = RunningAgent.Start("--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await TokenIssuer.AgentTokenAsync(database, agentId));
        try
        {
            await using var load = SteadyLoad.Start(server.BaseAddress, synthetic, perSecond: 30);
            await Task.Delay(TimeSpan.FromSeconds(5));
            var writer = (await database.QueryAsync("SELECT @@wsrep_node_name AS node")).Single()["node"]!.ToString()!;
            var number = writer[^1].ToString();
            await GaleraAsync("node-kill", Cluster, number);

            // Until a report is stored again: one probe report every half second, each new.
            var gap = Stopwatch.StartNew();
            var at = WireTimestamp.Truncate(DateTime.UtcNow).AddHours(-2);
            while (true)
            {
                at = at.AddSeconds(1);
                using var answer = await Reports.PostAsync(probe, Reports.Seed(probeId, at));
                if (answer.IsSuccessStatusCode)
                {
                    break;
                }

                Assert.True(gap.Elapsed < TimeSpan.FromSeconds(15), $"no report stored {gap.Elapsed.TotalSeconds:0.0} s after the writer was killed");
                await Task.Delay(500);
            }

            var resumedAfter = gap.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(5));
            await GaleraAsync("node-start", Cluster, number);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await load.StopAsync();

            await Delivered.WaitUntilAsync(() => Task.FromResult(Delivered.SpoolEmpty(spool)), "the agent's spool to drain", seconds: 120);
            Assert.Equal(0, await agent.StopAsync());
            Assert.False(server.HasExited);
            Assert.False(load.Outcomes.Keys.Any(k => k.StartsWith('5') && k != "503"), string.Join(", ", load.Outcomes));
            Assert.True(load.Acknowledged.Count > 300, $"{load.Acknowledged.Count} acknowledged; resumed after {resumedAfter.TotalSeconds:0.0} s");
            await Delivered.AssertAcknowledgedStoredAsync(database, load);
            await Delivered.AssertSampledStoredOnceAsync(database, agentId, agent, spool);

            // The node that was killed holds what the others hold.
            var name = new MySqlConnectionStringBuilder(database.ConnectionString).Database;
            var counts = new List<long>();
            foreach (var node in new[] { 1, 2, 3 })
            {
                counts.Add(await CountAsync(GaleraCluster.Node(node), name));
            }

            Assert.Single(counts.Distinct());
            Assert.True(counts[0] >= load.Acknowledged.Count, $"{counts[0]} rows, {load.Acknowledged.Count} acknowledged");
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }
}
