using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Contracts;
using StackScope.Server.Auth;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>Auth behaviour that needs its own server settings or the real ss-server program.</summary>
public sealed class AuthBehaviourTests
{
    [Fact]
    public async Task Bad_tokens_and_failed_sign_ins_each_have_a_budget_and_a_valid_token_always_works()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Auth:MaxFailures"] = "3",
            ["Auth:FailureWindowSeconds"] = "30",
        });
        var agent = Reports.NewAgentId();
        var good = await server.Credentials.AgentTokenAsync(agent);

        async Task<HttpResponseMessage> PostWith(string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = Reports.Json(Reports.Seed(agent).ToJsonString()) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await server.RawClient.SendAsync(request);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostWith("ssa_0123456789ab_guess" + i)).StatusCode);
        }

        var throttled = await PostWith("ssa_0123456789ab_guess9");
        await Envelope.AssertErrorAsync(throttled, HttpStatusCode.TooManyRequests, ResultCodes.TooManyFailures, "too many failed");
        Assert.Equal(TimeSpan.FromSeconds(30), throttled.Headers.RetryAfter?.Delta);
        // Behind one address (a proxy, a NAT) a bad client must not lock out the agents: a valid token still works.
        Assert.Equal(HttpStatusCode.OK, (await PostWith(good)).StatusCode);

        // Sign-ins have a budget of their own, untouched by the bad tokens.
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
        var csrf = await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await AuthSuite<SqliteTestDatabase>.SignInAsync(browser, "admin", "not the password", csrf)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await AuthSuite<SqliteTestDatabase>.SignInAsync(browser, "admin", "x", csrf)).StatusCode);
        // Requests without credentials are not part of it.
        Assert.Equal(HttpStatusCode.OK, (await server.RawClient.GetAsync("/healthz")).StatusCode);
        Assert.Equal(1, await database.CountAsync("server", agent));
    }

    [Fact]
    public async Task Sign_ins_released_at_once_are_checked_only_within_the_budget()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Auth:MaxFailures"] = "10",
            ["Auth:FailureWindowSeconds"] = "60",
        });
        Assert.True(await server.AddUserAsync("racer", "the right password"));
        var clients = new List<(HttpClient Client, string Csrf)>();
        for (var i = 0; i < 40; i++)
        {
            var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
            clients.Add((browser, await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false)));
        }

        // 39 wrong passwords and the right one last, all released together: only 10 may be checked at all.
        using var start = new SemaphoreSlim(0);
        var attempts = clients.Select((c, i) => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await AuthSuite<SqliteTestDatabase>.SignInAsync(c.Client, "racer", i == 39 ? "the right password" : "wrong " + i, c.Csrf);
        })).ToList();
        start.Release(attempts.Count);
        var answers = (await Task.WhenAll(attempts)).Select(r => r.StatusCode).ToList();

        // A right password gives its place back, so at most 10 wrong ones are ever checked.
        var summary = string.Join(", ", answers.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}"));
        Assert.True(answers.Count(s => s == HttpStatusCode.Unauthorized) <= 10, summary);
        Assert.True(answers.Count(s => s == HttpStatusCode.TooManyRequests) >= 29, summary);
        Assert.Equal(40, answers.Count(s => s is HttpStatusCode.Unauthorized or HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        foreach (var (client, _) in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget()
    {
        await using var database = new SqliteTestDatabase();
        await using var trusting = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Auth:MaxFailures"] = "2",
            ["Auth:TrustedProxies:0"] = "127.0.0.0/8",
        });
        await using var untrusting = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Auth:MaxFailures"] = "2" });

        // Header values only: no traffic goes to these documentation addresses.
        async Task<HttpStatusCode> BadTokenFrom(RunningServer server, string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agents");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "ssr_0123456789ab_nope");
            request.Headers.Add("X-Forwarded-For", client);
            return (await server.RawClient.SendAsync(request)).StatusCode;
        }

        foreach (var server in new[] { trusting, untrusting })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BadTokenFrom(server, "192.0.2.1"));
            Assert.Equal(HttpStatusCode.Unauthorized, await BadTokenFrom(server, "192.0.2.1"));
            Assert.Equal(HttpStatusCode.TooManyRequests, await BadTokenFrom(server, "192.0.2.1"));
        }

        // The trusting server counts 192.0.2.2 apart; the other sees one address (the proxy's) for both.
        Assert.Equal(HttpStatusCode.Unauthorized, await BadTokenFrom(trusting, "192.0.2.2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await BadTokenFrom(untrusting, "192.0.2.2"));
    }

    [Fact]
    public async Task The_admin_commands_issue_list_and_revoke_tokens_and_add_users_in_the_servers_storage()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Auth:TokenCacheSeconds"] = "1" });
        var storage = ServerProcess.StorageArgs(database);
        var agent = Reports.NewAgentId("cli");

        var add = await ServerProcess.RunCommandAsync(["agent", "add", agent, .. storage]);
        Assert.True(add.ExitCode == 0, add.Error);
        var token = add.Output.Trim();
        Assert.StartsWith("ssa_", token, StringComparison.Ordinal);
        Assert.Contains("shown only now", add.Error, StringComparison.Ordinal);

        var again = await ServerProcess.RunCommandAsync(["agent", "add", agent, .. storage]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already has a live agent token", again.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await ServerProcess.RunCommandAsync(["agent", "add", "bad id!", .. storage])).ExitCode);

        var list = await ServerProcess.RunCommandAsync(["agent", "list", .. storage]);
        Assert.Contains($"{agent}\tlive", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('_', 3)[2], list.Output, StringComparison.Ordinal);

        var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = Reports.Json(Reports.Seed(agent).ToJsonString()) };
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await server.RawClient.SendAsync(post)).StatusCode);

        var revoke = await ServerProcess.RunCommandAsync(["agent", "revoke", agent, .. storage]);
        Assert.True(revoke.ExitCode == 0, revoke.Error);
        Assert.Contains($"{agent}\trevoked", (await ServerProcess.RunCommandAsync(["agent", "list", .. storage])).Output, StringComparison.Ordinal);
        await Task.Delay(1500); // the running server trusts a verified token for Auth:TokenCacheSeconds
        var after = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = Reports.Json(Reports.Seed(agent, DateTime.UtcNow.AddMinutes(-1)).ToJsonString()) };
        after.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await Envelope.AssertErrorAsync(await server.RawClient.SendAsync(after), HttpStatusCode.Unauthorized, ResultCodes.Unauthenticated, "invalid or revoked token");
        Assert.Equal(1, await database.CountAsync("server", agent));

        // Users: a short password is refused; --password-stdin for scripts; the new user signs in to the running server.
        Assert.Equal(1, (await ServerProcess.RunCommandAsync(["user", "add", "ops", "--password-stdin", .. storage], "short")).ExitCode);
        var user = await ServerProcess.RunCommandAsync(["user", "add", "ops", "--password-stdin", .. storage], "a long enough password");
        Assert.True(user.ExitCode == 0, user.Error);
        Assert.Contains("ops\treader\tcreated", (await ServerProcess.RunCommandAsync(["user", "list", .. storage])).Output, StringComparison.Ordinal);
        // The admin role (alert rules and channels) is given and taken back by the same commands.
        Assert.Equal(1, (await ServerProcess.RunCommandAsync(["user", "role", "ops", "owner", .. storage])).ExitCode);
        Assert.Equal(0, (await ServerProcess.RunCommandAsync(["user", "role", "ops", "admin", .. storage])).ExitCode);
        Assert.Contains("ops\tadmin\tcreated", (await ServerProcess.RunCommandAsync(["user", "list", .. storage])).Output, StringComparison.Ordinal);
        Assert.Equal(0, (await ServerProcess.RunCommandAsync(["user", "role", "ops", "reader", .. storage])).ExitCode);
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
        var csrf = await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false);
        Assert.Equal(HttpStatusCode.OK, (await AuthSuite<SqliteTestDatabase>.SignInAsync(browser, "ops", "a long enough password", csrf)).StatusCode);

        // A read token from the command line reads.
        var read = await ServerProcess.RunCommandAsync(["token", "add", "grafana", .. storage]);
        Assert.StartsWith("ssr_", read.Output.Trim(), StringComparison.Ordinal);
        var get = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agents/{agent}/containers") { Headers = { Authorization = new("Bearer", read.Output.Trim()) } };
        Assert.Equal(HttpStatusCode.OK, (await server.RawClient.SendAsync(get)).StatusCode);
    }

    [Fact]
    public async Task A_revocation_bites_within_the_cache_lifetime_even_for_a_token_in_constant_use()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Auth:TokenCacheSeconds"] = "2" });
        var agent = Reports.NewAgentId("busy");
        var token = await server.Credentials.AgentTokenAsync(agent);
        var t0 = DateTime.UtcNow.AddHours(-1);
        var sent = 0;

        async Task<HttpStatusCode> PostNextAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = Reports.Json(Reports.Seed(agent, t0.AddSeconds(sent++)).ToJsonString()) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await server.RawClient.SendAsync(request)).StatusCode;
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await PostNextAsync());
        }

        // Revoked in storage, as `ss-server agent revoke` does from another process; the agent keeps sending every 100 ms.
        await server.Services.GetRequiredService<TokenService>().RevokeAsync(TokenRoles.Agent, agent, CancellationToken.None);
        var revokedAt = DateTime.UtcNow;
        while (await PostNextAsync() == HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(3), "the revoked token still works after the 2 s cache lifetime");
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PostNextAsync());
    }

    [Fact]
    public async Task Open_mode_needs_no_credentials_and_the_server_warns_about_it_at_start()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await ServerProcess.StartAsync(Ports.Free(), [.. ServerProcess.StorageArgs(database), "--Auth:Mode", "open"]);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        var agent = Reports.NewAgentId();

        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(client, Reports.Seed(agent))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/agents/{agent}/containers")).StatusCode);
        Assert.Contains(server.Lines, l => l.Contains("Auth:Mode=open", StringComparison.Ordinal) && l.Contains("warn", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_default_is_closed_and_an_unknown_mode_stops_the_start()
    {
        await using var database = new SqliteTestDatabase();
        await using (var server = await ServerProcess.StartAsync(Ports.Free(), ServerProcess.StorageArgs(database)))
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress };
            Assert.Equal(HttpStatusCode.Unauthorized, (await Reports.PostAsync(client, Reports.Seed(Reports.NewAgentId()))).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/agents")).StatusCode);
            Assert.DoesNotContain(server.Lines, l => l.Contains("Auth:Mode=open", StringComparison.Ordinal));
        }

        await using var typo = await ServerProcess.StartAsync(Ports.Free(), [.. ServerProcess.StorageArgs(database), "--Auth:Mode", "opne"], waitUntilReady: false);
        Assert.NotEqual(0, await typo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(typo.Lines, l => l.Contains("Auth:Mode must be", StringComparison.Ordinal));
    }
}
