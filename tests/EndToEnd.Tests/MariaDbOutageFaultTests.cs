using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// MariaDB stopped for 30 s under load and started again: the same ss-server process (never restarted) answers
/// 503 meanwhile and stores again afterwards; acknowledged reports are stored, sampled ones arrive once.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class MariaDbOutageFaultTests
{
    [Fact]
    public async Task MariaDB_down_30_s_under_load_loses_nothing_and_the_server_carries_on_without_a_restart()
    {
        await using var mariadb = await PrivateMariaDb.StartAsync();
        await using var database = new MariaDbTestDatabase(mariadb.ServerConnectionString);
        await database.InitializeAsync();
        var synthetic = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var id = Reports.NewAgentId("dbload");
            synthetic[id] = await TokenIssuer.AgentTokenAsync(database, id);
        }

        var agentId = Reports.NewAgentId("dbdown");
        var spool = Directory.CreateTempSubdirectory("ss-dbdown-spool-").FullName;
        await using var server = await ServerProcess.StartAsync(Ports.Free(), ServerProcess.StorageArgs(database));
        await using var agent = RunningAgent.Start("--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await TokenIssuer.AgentTokenAsync(database, agentId));
        try
        {
            await using var load = SteadyLoad.Start(server.BaseAddress, synthetic, perSecond: 40);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await mariadb.StopAsync();
            var stoppedAt = DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(30));
            var refusedDuringOutage = load.Outcomes.GetValueOrDefault("503");
            await mariadb.StartAgainAsync();
            await Task.Delay(TimeSpan.FromSeconds(8));
            await load.StopAsync();

            await Delivered.WaitUntilAsync(() => Task.FromResult(Delivered.SpoolEmpty(spool)), "the agent's spool to drain", seconds: 120);
            Assert.Equal(0, await agent.StopAsync());
            Assert.False(server.HasExited);

            Assert.True(refusedDuringOutage > 100, $"only {refusedDuringOutage} answered 503 during the outage");
            Assert.False(load.Outcomes.Keys.Any(k => k.StartsWith('5') && k != "503"), string.Join(", ", load.Outcomes));
            await Delivered.AssertAcknowledgedStoredAsync(database, load);
            await Delivered.AssertSampledStoredOnceAsync(database, agentId, agent, spool);
            var sampledDuringOutage = agent.Sampled.Count(s => DateTime.Parse(s.Time, System.Globalization.CultureInfo.InvariantCulture) > stoppedAt.AddSeconds(2)
                && DateTime.Parse(s.Time, System.Globalization.CultureInfo.InvariantCulture) < stoppedAt.AddSeconds(28));
            Assert.True(sampledDuringOutage >= 20, $"only {sampledDuringOutage} reports sampled during the outage");
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }
}
