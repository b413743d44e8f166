using System.Diagnostics;
using System.Net.Http.Headers;
using MySqlConnector;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Faults of the three-node Galera cluster under steady load through HAProxy: the node ss-server writes to SIGKILLed
/// (ingest resumes through another node within 15 s; the node restarts and rejoins), and two of three nodes
/// unreachable (no primary component: 503 with the server up until quorum is back). Each time: no answer but 503,
/// every report answered 200 stored, a real agent's spooled reports all arrive once, all nodes hold the same rows.
/// </summary>
public sealed class GaleraFaultTests
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

    // A real agent (1 s interval) and 30 synthetic reports a second through one ss-server on the cluster's HAProxy
    // writer while <paramref name="fault"/> runs; then: nothing but 503 among the errors, every acknowledged report
    // stored, the agent's spool delivered once, the server still up, and all three nodes holding the same rows.
    private static async Task UnderLoadAsync(string prefix, Func<MariaDbTestDatabase, HttpClient, string, SteadyLoad, Task> fault)
    {
        await using var database = new MariaDbTestDatabase(GaleraCluster.Writer);
        await database.InitializeAsync();
        var synthetic = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var id = Reports.NewAgentId(prefix + "load");
            synthetic[id] = await TokenIssuer.AgentTokenAsync(database, id);
        }

        var probeId = Reports.NewAgentId(prefix + "probe");
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        probe.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenIssuer.AgentTokenAsync(database, probeId));
        var agentId = Reports.NewAgentId(prefix + "agent");
        var spool = Directory.CreateTempSubdirectory("ss-galera-spool-").FullName;
        await using var server = await ServerProcess.StartAsync(Ports.Free(), ServerProcess.StorageArgs(database));
        probe.BaseAddress = server.BaseAddress;
        await using var agent = RunningAgent.Start("--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await TokenIssuer.AgentTokenAsync(database, agentId));
        try
        {
            await using var load = SteadyLoad.Start(server.BaseAddress, synthetic, perSecond: 30);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await fault(database, probe, probeId, load);
            await StoredAgainWithinAsync(probe, probeId, TimeSpan.FromSeconds(60), "the fault ended");
            await Task.Delay(TimeSpan.FromSeconds(5));
            await load.StopAsync();

            await Delivered.WaitUntilAsync(() => Task.FromResult(Delivered.SpoolEmpty(spool)), "the agent's spool to drain", seconds: 120);
            Assert.Equal(0, await agent.StopAsync());
            Assert.False(server.HasExited);
            Assert.False(load.Outcomes.Keys.Any(k => k.StartsWith('5') && k != "503"), string.Join(", ", load.Outcomes));
            Assert.True(load.Acknowledged.Count > 200, $"{load.Acknowledged.Count} acknowledged: {string.Join(", ", load.Outcomes)}");
            await Delivered.AssertAcknowledgedStoredAsync(database, load);
            await Delivered.AssertSampledStoredOnceAsync(database, agentId, agent, spool);

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

    // Until a report is stored again: one probe report every half second, each new (sample times apart from the load's).
    private static async Task StoredAgainWithinAsync(HttpClient probe, string probeId, TimeSpan limit, string since)
    {
        var gap = Stopwatch.StartNew();
        while (true)
        {
            var at = WireTimestamp.Truncate(DateTime.UtcNow).AddHours(-3);
            using var answer = await Reports.PostAsync(probe, Reports.Seed(probeId, at));
            if (answer.IsSuccessStatusCode)
            {
                return;
            }

            Assert.True(gap.Elapsed < limit, $"no report stored {gap.Elapsed.TotalSeconds:0.0} s after {since}");
            await Task.Delay(500);
        }
    }

    private static async Task<string> WriterNodeAsync(MariaDbTestDatabase database) =>
        (await database.QueryAsync("SELECT @@wsrep_node_name AS node")).Single()["node"]!.ToString()![^1].ToString();

    [Fact]
    public async Task The_writer_node_killed_under_load_loses_nothing_and_rejoins_with_the_same_rows() =>
        await UnderLoadAsync("galkill", async (database, probe, probeId, _) =>
        {
            var writer = await WriterNodeAsync(database);
            await GaleraAsync("node-kill", Cluster, writer);

            await StoredAgainWithinAsync(probe, probeId, TimeSpan.FromSeconds(15), "the writer was killed");
            await Task.Delay(TimeSpan.FromSeconds(5));
            await GaleraAsync("node-start", Cluster, writer);
        });

    [Fact]
    public async Task Two_of_three_nodes_unreachable_answer_503_until_quorum_is_back_and_nothing_is_lost() =>
        await UnderLoadAsync("galquorum", async (database, _, _, load) =>
        {
            // The two standbys stop (SIGSTOP: as behind a partition); the writer alone is no primary component and
            // takes no writes, so HAProxy has no node to offer.
            var writer = await WriterNodeAsync(database);
            var others = new[] { "1", "2", "3" }.Where(n => n != writer).ToList();
            var refusedBefore = load.Outcomes.GetValueOrDefault("503");
            foreach (var node in others)
            {
                await GaleraAsync("node-pause", Cluster, node);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(20));
                Assert.True(load.Outcomes.GetValueOrDefault("503") - refusedBefore > 100, string.Join(", ", load.Outcomes));
            }
            finally
            {
                foreach (var node in others)
                {
                    await GaleraAsync("node-resume", Cluster, node);
                }
            }
        });
}
