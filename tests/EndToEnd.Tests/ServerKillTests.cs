using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// ss-server killed with SIGKILL while two real agents and a steady load generator send, then started again on
/// the same address and database: every acknowledged report is stored, every sampled report arrives once.
/// </summary>
[Collection(DockerTestGroup.Name)]
public abstract class ServerKillSuite<TDatabase> where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task After_SIGKILL_and_a_restart_every_acknowledged_report_is_stored_and_every_sampled_one_arrives_once()
    {
        await using var database = new TDatabase();
        await database.InitializeAsync();
        var port = Ports.Free();
        var storage = ServerProcess.StorageArgs(database);
        var synthetic = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var id = Reports.NewAgentId("load");
            synthetic[id] = await TokenIssuer.AgentTokenAsync(database, id);
        }

        var agentIds = new[] { Reports.NewAgentId("kill"), Reports.NewAgentId("kill") };
        var spools = agentIds.Select(_ => Directory.CreateTempSubdirectory("ss-kill-spool-").FullName).ToArray();
        var server = await ServerProcess.StartAsync(port, storage);
        var agents = new List<RunningAgent>();
        for (var i = 0; i < agentIds.Length; i++)
        {
            agents.Add(RunningAgent.Start("--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentIds[i],
                "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spools[i], "--Agent:Token", await TokenIssuer.AgentTokenAsync(database, agentIds[i])));
        }

        try
        {
            await using var load = SteadyLoad.Start(server.BaseAddress, synthetic, perSecond: 40);
            await Task.Delay(TimeSpan.FromSeconds(6));
            var acknowledgedBeforeKill = load.Acknowledged.Count;
            await server.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await using var restarted = await ServerProcess.StartAsync(port, storage);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await load.StopAsync();

            await Delivered.WaitUntilAsync(() => Task.FromResult(spools.All(Delivered.SpoolEmpty)), "the agents' spools to drain");
            foreach (var agent in agents)
            {
                Assert.Equal(0, await agent.StopAsync());
            }

            Assert.True(acknowledgedBeforeKill > 50, $"only {acknowledgedBeforeKill} acknowledged before the kill");
            Assert.True(load.Outcomes.ContainsKey("no answer"), "the load generator saw the server gone");
            Assert.True(load.Acknowledged.Count > acknowledgedBeforeKill + 50, "and saw it back");
            await Delivered.AssertAcknowledgedStoredAsync(database, load);
            for (var i = 0; i < agents.Count; i++)
            {
                await Delivered.AssertSampledStoredOnceAsync(database, agentIds[i], agents[i], spools[i]);
                Assert.Contains(agents[i].Lines, l => l.Contains("Server unavailable", StringComparison.Ordinal));
            }
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }

            await server.DisposeAsync();
            foreach (var spool in spools)
            {
                Directory.Delete(spool, recursive: true);
            }
        }
    }
}

public sealed class SqliteServerKillTests : ServerKillSuite<SqliteTestDatabase>;

public sealed class MariaDbServerKillTests : ServerKillSuite<MariaDbTestDatabase>;
