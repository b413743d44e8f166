using System.Net;
using StackScope.Contracts;
using StackScope.Tests.Common;

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

    [Fact]
    public async Task With_MariaDB_stopped_token_checks_sign_in_and_queries_answer_503_not_500()
    {
        await using var mariadb = await PrivateMariaDb.StartAsync();
        await using var database = new MariaDbTestDatabase(mariadb.ServerConnectionString);
        // No token cache: every request must ask storage who is calling.
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Auth:TokenCacheSeconds"] = "0" });
        var agent = Reports.NewAgentId();
        await server.Credentials.AgentTokenAsync(agent);
        await server.Credentials.ReadTokenAsync();
        Assert.True(await server.AddUserAsync("ops", "dashboard password"));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
        var csrf = await AuthSuite<MariaDbTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false);

        await mariadb.StopAsync();
        try
        {
            var answers = new[]
            {
                await Reports.PostAsync(server.Client, Reports.Seed(agent)),
                await server.Client.GetAsync("/api/v1/agents"),
                await server.Client.GetAsync($"/api/v1/agents/{agent}/containers"),
                await AuthSuite<MariaDbTestDatabase>.SignInAsync(browser, "ops", "dashboard password", csrf),
            };
            foreach (var answer in answers)
            {
                await Envelope.AssertErrorAsync(answer, HttpStatusCode.ServiceUnavailable, ResultCodes.StorageUnavailable, "retry later");
                Assert.True(answer.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 carries Retry-After");
            }
        }
        finally
        {
            await mariadb.StartAgainAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/v1/agents")).StatusCode);
    }
}
