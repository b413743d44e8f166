using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Contracts;
using StackScope.Server.Auth;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>Who may write and who may read, run once per storage provider (the tokens and users live there).</summary>
public abstract class AuthSuite<TDatabase>(ServerFixture<TDatabase> fixture) : IClassFixture<ServerFixture<TDatabase>>
    where TDatabase : TestDatabase, new()
{
    private RunningServer Server => fixture.Server;

    private TestDatabase Db => fixture.Database;

    private static HttpRequestMessage Post(string agentId, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info")
        {
            Content = Reports.Json(Reports.Seed(agentId).ToJsonString()),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    [Fact]
    public async Task A_report_without_a_token_is_refused_401_and_not_stored()
    {
        var agent = Reports.NewAgentId();
        var response = await Server.RawClient.SendAsync(Post(agent, null));

        await Envelope.AssertErrorAsync(response, HttpStatusCode.Unauthorized, ResultCodes.Unauthenticated, "authentication required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(0, await Db.CountAsync("server", agent));
    }

    [Fact]
    public async Task Every_kind_of_bad_token_gets_the_same_answer_and_stores_nothing()
    {
        var agent = Reports.NewAgentId();
        var good = await Server.Credentials.AgentTokenAsync(agent);
        var id = good.Split('_', 3)[1];
        var revokedAgent = Reports.NewAgentId();
        var tokens = Server.Services.GetRequiredService<TokenService>();
        var revoked = (await tokens.IssueAsync(TokenRoles.Agent, revokedAgent, CancellationToken.None))!;
        await tokens.RevokeAsync(TokenRoles.Agent, revokedAgent, CancellationToken.None);

        string[] bad =
        [
            "nonsense",
            good + "x",                                                     // right id, wrong secret
            $"ssa_{id}_{new string('A', 43)}",                              // right id, other secret
            $"ssa_0123456789ab_{good.Split('_', 3)[2]}",                       // unknown id
            "ssr" + good[3..],                                              // right secret, wrong role prefix
            revoked,                                                        // revoked, never used before
        ];
        var messages = new HashSet<string>();
        foreach (var token in bad)
        {
            var response = await Server.RawClient.SendAsync(Post(agent, token));
            var envelope = await Envelope.ReadAsync(response);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(ResultCodes.Unauthenticated, envelope.ResultCode);
            messages.Add(envelope.ResultMessage);
        }

        Assert.Equal("invalid or revoked token", Assert.Single(messages));
        Assert.Equal(0, await Db.CountAsync("server", agent));
        Assert.Equal(0, await Db.CountAsync("server", revokedAgent));
    }

    [Fact]
    public async Task An_agent_token_writes_its_own_agent_id_only()
    {
        var mine = Reports.NewAgentId();
        var other = Reports.NewAgentId();
        var token = await Server.Credentials.AgentTokenAsync(mine);

        Assert.Equal(HttpStatusCode.OK, (await Server.RawClient.SendAsync(Post(mine, token))).StatusCode);
        var response = await Server.RawClient.SendAsync(Post(other, token));

        await Envelope.AssertErrorAsync(response, HttpStatusCode.Forbidden, ResultCodes.Forbidden, $"may write only agent_id '{mine}'");
        Assert.Equal(1, await Db.CountAsync("server", mine));
        Assert.Equal(0, await Db.CountAsync("server", other));
    }

    [Fact]
    public async Task Reading_needs_a_read_token_and_a_read_token_cannot_write()
    {
        var agent = Reports.NewAgentId();
        var agentToken = await Server.Credentials.AgentTokenAsync(agent);
        var readToken = await Server.Credentials.ReadTokenAsync();

        await Envelope.AssertErrorAsync(await Server.RawClient.GetAsync("/api/v1/agents"), HttpStatusCode.Unauthorized, ResultCodes.Unauthenticated, "authentication required");
        var asAgent = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agents") { Headers = { Authorization = new("Bearer", agentToken) } };
        await Envelope.AssertErrorAsync(await Server.RawClient.SendAsync(asAgent), HttpStatusCode.Forbidden, ResultCodes.Forbidden, "may not");
        var asReader = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agents") { Headers = { Authorization = new("Bearer", readToken) } };
        Assert.Equal(HttpStatusCode.OK, (await Server.RawClient.SendAsync(asReader)).StatusCode);

        var write = await Server.RawClient.SendAsync(Post(agent, readToken));
        await Envelope.AssertErrorAsync(write, HttpStatusCode.Forbidden, ResultCodes.Forbidden, "may not");
        Assert.Equal(0, await Db.CountAsync("server", agent));
    }

    [Fact]
    public async Task Storage_holds_only_the_secrets_hash_and_one_live_token_per_agent()
    {
        var agent = Reports.NewAgentId();
        var tokens = Server.Services.GetRequiredService<TokenService>();
        var token = (await tokens.IssueAsync(TokenRoles.Agent, agent, CancellationToken.None))!;
        var parts = token.Split('_', 3);

        var row = Assert.Single(await Db.QueryAsync("SELECT * FROM auth_token WHERE subject = @s", ("@s", agent)));
        Assert.Equal(parts[1], row["token_id"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(parts[2]))), row["secret_sha256"]);
        Assert.DoesNotContain(row.Values, v => v is string s && s.Contains(parts[2], StringComparison.Ordinal));

        Assert.Null(await tokens.IssueAsync(TokenRoles.Agent, agent, CancellationToken.None));
        Assert.Equal(1, await tokens.RevokeAsync(TokenRoles.Agent, agent, CancellationToken.None));
        Assert.NotNull(await tokens.IssueAsync(TokenRoles.Agent, agent, CancellationToken.None));
        Assert.Equal(2, (await Db.QueryAsync("SELECT token_id FROM auth_token WHERE subject = @s", ("@s", agent))).Count);

        // What `ss-server agent list` shows: both, the first revoked, times read back as UTC.
        var listed = (await Server.Services.GetRequiredService<StackScope.Server.Storage.IAuthStore>().ListTokensAsync(TokenRoles.Agent, CancellationToken.None))
            .Where(t => t.Subject == agent).ToList();
        Assert.Equal(2, listed.Count);
        Assert.Single(listed, t => t.RevokedAt is not null && t.TokenId == parts[1]);
        Assert.All(listed, t => Assert.InRange(t.CreatedAt, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Users_sign_in_read_with_the_session_and_sign_out_with_CSRF_checked()
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..10];
        Assert.True(await Server.AddUserAsync(name, "correct horse battery"));
        var stored = Assert.Single(await Db.QueryAsync("SELECT password_hash FROM app_user WHERE username = @u", ("@u", name)));
        Assert.DoesNotContain("correct horse", (string)stored["password_hash"]!, StringComparison.Ordinal);

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Server.BaseAddress };
        var csrf = await SessionCsrfAsync(browser, expectSignedIn: false);

        // No CSRF header: refused before the password is looked at.
        await Envelope.AssertErrorAsync(await SignInAsync(browser, name, "correct horse battery", null), HttpStatusCode.Forbidden, ResultCodes.Forbidden, "CSRF");
        var wrong = await SignInAsync(browser, name, "wrong password!!", csrf);
        var unknown = await SignInAsync(browser, "nobody-" + name, "correct horse battery", csrf);
        await Envelope.AssertErrorAsync(wrong, HttpStatusCode.Unauthorized, ResultCodes.Unauthenticated, "wrong username or password");
        Assert.Equal((await Envelope.ReadAsync(wrong)).ResultMessage, (await Envelope.ReadAsync(unknown)).ResultMessage);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/agents")).StatusCode);

        var signIn = await SignInAsync(browser, name, "correct horse battery", csrf);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ss_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/agents")).StatusCode);

        var signedInCsrf = await SessionCsrfAsync(browser, expectSignedIn: true);
        await Envelope.AssertErrorAsync(await PostAsync(browser, "/api/v1/auth/sign-out", "{}", csrf), HttpStatusCode.Forbidden, ResultCodes.Forbidden, "CSRF");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(browser, "/api/v1/auth/sign-out", "{}", signedInCsrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/agents")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_refuses_oversized_and_malformed_bodies_with_a_4xx_envelope()
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Server.BaseAddress };
        var csrf = await SessionCsrfAsync(browser, expectSignedIn: false);

        await Envelope.AssertErrorAsync(await PostAsync(browser, "/api/v1/auth/sign-in", $"{{\"username\":\"{new string('a', 1_000_000)}\"}}", csrf),
            HttpStatusCode.RequestEntityTooLarge, ResultCodes.PayloadTooLarge, "4096");
        await Envelope.AssertErrorAsync(await PostAsync(browser, "/api/v1/auth/sign-in", "{\"username\":", csrf),
            HttpStatusCode.BadRequest, ResultCodes.MalformedJson, "username");
        await Envelope.AssertErrorAsync(await PostAsync(browser, "/api/v1/auth/sign-in", "{\"username\":5,\"password\":[]}", csrf),
            HttpStatusCode.BadRequest, ResultCodes.MalformedJson, "username");
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        foreach (var path in new[] { "/", "/app.js", "/api/v1/agents", "/healthz", "/no-such-page" })
        {
            var response = await Server.RawClient.GetAsync(path);
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }

        Assert.Equal("no-store", (await Server.RawClient.GetAsync("/api/v1/agents")).Headers.CacheControl?.ToString());
    }

    internal static async Task<string> SessionCsrfAsync(HttpClient browser, bool expectSignedIn)
    {
        var session = await browser.GetAsync("/api/v1/auth/session");
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        using var json = JsonDocument.Parse(await session.Content.ReadAsStringAsync());
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(expectSignedIn, data.GetProperty("signedIn").GetBoolean());
        return data.GetProperty("csrfToken").GetString()!;
    }

    internal static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string username, string password, string? csrf) =>
        PostAsync(browser, "/api/v1/auth/sign-in", JsonSerializer.Serialize(new { username, password }), csrf);

    internal static Task<HttpResponseMessage> PostAsync(HttpClient browser, string path, string json, string? csrf)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Reports.Json(json) };
        if (csrf is not null)
        {
            request.Headers.Add(AuthSchemes.CsrfHeader, csrf);
        }

        return browser.SendAsync(request);
    }
}

public sealed class SqliteAuthTests(ServerFixture<SqliteTestDatabase> fixture) : AuthSuite<SqliteTestDatabase>(fixture);

public sealed class MariaDbAuthTests(ServerFixture<MariaDbTestDatabase> fixture) : AuthSuite<MariaDbTestDatabase>(fixture);
