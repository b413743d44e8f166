using System.Net;
using StackScope.Contracts;
using StackScope.Server.Tests.Infrastructure;

namespace StackScope.Server.Tests;

public sealed class MariaDbOutageTests
{
    [Fact]
    public async Task MariaDB_stopped_answers_503_and_started_again_the_next_report_is_stored_without_a_restart()
    {
        await using var mariadb = await PrivateMariaDb.StartAsync();
        await using var database = new MariaDbTestDatabase(mariadb.ServerConnectionString);
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId();
        var t0 = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, t0))).StatusCode);

        await mariadb.StopAsync();
        var during = await Reports.PostAsync(server.Client, Reports.Seed(agent, t0.AddSeconds(10)));
        await Envelope.AssertErrorAsync(during, HttpStatusCode.ServiceUnavailable, ResultCodes.StorageUnavailable, "retry later");
        Assert.True(during.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 carries Retry-After");
        await Envelope.AssertErrorAsync(await server.Client.GetAsync("/readyz"), HttpStatusCode.ServiceUnavailable, ResultCodes.StorageUnavailable, "");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/healthz")).StatusCode);

        await mariadb.StartAgainAsync();
        var after = await Reports.PostAsync(server.Client, Reports.Seed(agent, t0.AddSeconds(20)));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        // The report refused during the outage is resent by its agent, as the 503 asked.
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, t0.AddSeconds(10)))).StatusCode);

        var rows = await database.QueryAsync("SELECT ser_get_datetime FROM server WHERE agent_id = @a ORDER BY ser_get_datetime", ("@a", agent));
        Assert.Equal([t0, t0.AddSeconds(10), t0.AddSeconds(20)], rows.Select(r => (DateTime)r["ser_get_datetime"]!));
        Assert.Equal(12, await database.CountAsync("container", agent));
    }
}
