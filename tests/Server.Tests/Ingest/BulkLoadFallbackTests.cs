using System.Net;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>
/// MariaDB takes a batch's rows by LOAD DATA LOCAL INFILE while its local_infile is on. Switched off under a running
/// server (as MySQL 8 ships it), reports are still stored, by INSERT, and none is refused. Another server process that
/// shares this MariaDB meanwhile inserts too, which stores the same rows: the switch is safe for tests beside it.
/// </summary>
public sealed class BulkLoadFallbackTests(ServerFixture<MariaDbTestDatabase> fixture) : IClassFixture<ServerFixture<MariaDbTestDatabase>>
{
    [Fact]
    public async Task Reports_are_stored_before_and_after_the_database_stops_taking_local_files()
    {
        var client = fixture.Server.Client;
        var db = fixture.Database;
        var agent = Reports.NewAgentId();
        var t0 = DateTime.UtcNow.AddMinutes(-5);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(client, Reports.Full(agent, t0))).StatusCode);

        await db.ExecuteAsync("SET GLOBAL local_infile = 0");
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(client, Reports.Full(agent, t0.AddSeconds(10)))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(client, Reports.Full(agent, t0.AddSeconds(20)))).StatusCode);
        }
        finally
        {
            await db.ExecuteAsync("SET GLOBAL local_infile = 1");
        }

        Assert.Equal(3, await db.CountAsync("server", agent));
        var perReport = Reports.Full(agent, t0)["container_stats"]!.AsArray().Count;
        Assert.Equal(3 * perReport, await db.CountAsync("container", agent));
    }
}
