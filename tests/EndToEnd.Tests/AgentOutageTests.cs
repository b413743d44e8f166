using System.Globalization;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

[Collection(DockerTestGroup.Name)]
public sealed class AgentOutageTests
{
    [Fact]
    public async Task Every_report_sampled_during_an_outage_and_an_agent_restart_is_stored_exactly_once()
    {
        await using var database = new SqliteTestDatabase();
        var settings = new Dictionary<string, string?> { ["Urls"] = $"http://127.0.0.1:{Ports.Free()}" };
        var server = await RunningServer.StartAsync(database, settings);
        var agentId = Reports.NewAgentId("outage");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-spool-").FullName;
        var token = await server.Credentials.AgentTokenAsync(agentId); // stored in the database, so it outlives this server
        string[] args = ["--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:IntervalSeconds", "2", "--Agent:SpoolPath", spool, "--Agent:Token", token];

        var first = RunningAgent.Start(args);
        await Delivered.WaitUntilAsync(async () => await database.CountAsync("server", agentId) >= 2, "two reports delivered before the outage");

        await server.DisposeAsync(); // the outage begins
        var outageStarted = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await first.StopAsync()); // SIGTERM during the outage: a clean exit, the spool kept
        Assert.NotEmpty(Directory.GetFiles(spool, "*.json"));

        await using var second = RunningAgent.Start(args);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var outageEnded = DateTime.UtcNow;
        server = await RunningServer.StartAsync(database, settings); // same address, same database
        await using (server)
        {
            await Delivered.WaitUntilAsync(() => Task.FromResult(Directory.GetFiles(spool, "*.json").Length == 0), "the spool drained");
            Assert.Equal(0, await second.StopAsync());
        }

        var sampled = first.Sampled.Concat(second.Sampled).Select(s => s.Time).ToList();
        var stored = (await database.QueryAsync("SELECT ser_get_datetime FROM server WHERE agent_id = @a", ("@a", agentId)))
            .Select(r => (string)r["ser_get_datetime"]!).ToList();
        var stillSpooled = Directory.GetFiles(spool, "*.json").Length;

        var duringOutage = sampled.Where(t => Parse(t) > outageStarted.AddSeconds(1) && Parse(t) < outageEnded.AddSeconds(-1)).ToList();
        Assert.True(duringOutage.Count >= 3, $"only {duringOutage.Count} reports sampled during the outage");
        Assert.Equal(stored.Count, stored.Distinct().Count());                  // none twice
        Assert.All(duringOutage, t => Assert.Contains(t, stored));               // none lost
        Assert.Subset(sampled.ToHashSet(), stored.ToHashSet());                  // nothing invented
        Assert.InRange(sampled.Count - stored.Count, 0, stillSpooled);           // the rest waits in the spool
        Directory.Delete(spool, recursive: true);
    }

    private static DateTime Parse(string wire) =>
        DateTime.ParseExact(wire, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
