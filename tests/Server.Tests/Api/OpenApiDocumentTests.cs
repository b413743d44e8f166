using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Contracts;
using StackScope.Server.Auth;
using StackScope.Server.Query;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>
/// /openapi/v1.json is checked by a validator from the npm registry (tests/OpenApi, OpenAPI 3.1 rules), and real
/// answers of every endpoint, successes and errors, are checked against the schema it declares for their status.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private readonly List<JsonObject> _answers = [];

    [Fact]
    public async Task The_document_is_valid_and_every_real_answer_matches_it()
    {
        var checker = Path.Combine(MariaDb.RepositoryRoot, "tests", "OpenApi");
        Assert.True(Directory.Exists(Path.Combine(checker, "node_modules")),
            "the OpenAPI validator is not installed: run `npm ci --prefix tests/OpenApi` (scripts/test.sh does)");
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("oa");
        var sampledAt = WireTimestamp.Truncate(DateTime.UtcNow.AddSeconds(-30));

        // The document itself, asked with a forged Host: nothing of the request may appear in it.
        using var docRequest = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        docRequest.Headers.Host = "evil.example";
        using var docAnswer = await server.RawClient.SendAsync(docRequest);
        Assert.Equal("no-store", docAnswer.Headers.CacheControl?.ToString());
        var docText = await docAnswer.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", docText, StringComparison.Ordinal);
        var doc = JsonNode.Parse(docText)!;

        // Each operation names the schemes its policy admits: agents a token, admins their session, readers either.
        string Schemes(string path, string method) => string.Join(",", doc["paths"]![path]![method]!["security"]!.AsArray()
            .SelectMany(r => r!.AsObject().Select(p => p.Key)).Order());
        Assert.Equal("bearer", Schemes("/api/v1/monitor-info", "post"));
        Assert.Equal("bearer,session", Schemes("/api/v1/agents", "get"));
        Assert.Equal("session", Schemes("/api/v1/alerts/rules/{name}", "put"));
        Assert.Contains("Admins only", (string?)doc["paths"]!["/api/v1/alerts/rules/{name}"]!["put"]!["description"], StringComparison.Ordinal);
        Assert.Null(doc["servers"]);
        Assert.Equal("string", (string?)doc["components"]!["schemas"]!["MonitorReport"]!["properties"]!["ser_get_datetime"]!["type"]);
        Assert.Equal("number", (string?)doc["components"]!["schemas"]!["MonitorReport"]!["properties"]!["ser_cpu_percent"]!["type"]);

        const string ingest = "/api/v1/monitor-info";
        var token = await server.Credentials.AgentTokenAsync(agent);
        await Record(server.RawClient, HttpMethod.Get, "/healthz", "/healthz", 200);
        await Record(server.RawClient, HttpMethod.Get, "/readyz", "/readyz", 200);
        await Record(server.Client, HttpMethod.Post, ingest, ingest, 200, Reports.Seed(agent, sampledAt).ToJsonString());
        await Record(server.Client, HttpMethod.Post, ingest, ingest, 400, "{\"agent_id\":", bearer: token);
        await Record(server.RawClient, HttpMethod.Post, ingest, ingest, 401, Reports.Seed(agent).ToJsonString());
        await Record(server.RawClient, HttpMethod.Post, ingest, ingest, 403, Reports.Seed("someone-else").ToJsonString(), bearer: token);
        await Record(server.RawClient, HttpMethod.Post, ingest, ingest, 413, new string(' ', 1_100_000), bearer: token);
        await Record(server.RawClient, HttpMethod.Post, ingest, ingest, 415, "{}", bearer: token, contentType: "text/plain");

        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress })
        {
            Assert.True(await server.AddUserAsync("oa-user", "openapi password"));
            await Record(browser, HttpMethod.Get, "/api/v1/auth/session", "/api/v1/auth/session", 200);
            var csrf = await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false);
            await Record(browser, HttpMethod.Post, "/api/v1/auth/sign-in", "/api/v1/auth/sign-in", 403, "{\"username\":\"a\",\"password\":\"b\"}");
            await Record(browser, HttpMethod.Post, "/api/v1/auth/sign-in", "/api/v1/auth/sign-in", 415, "username=a", contentType: "application/x-www-form-urlencoded");
            await Record(browser, HttpMethod.Post, "/api/v1/auth/sign-in", "/api/v1/auth/sign-in", 401, "{\"username\":\"oa-user\",\"password\":\"wrong one\"}", csrf: csrf);
            await Record(browser, HttpMethod.Post, "/api/v1/auth/sign-in", "/api/v1/auth/sign-in", 400, "{\"username\":", csrf: csrf);
            await Record(browser, HttpMethod.Post, "/api/v1/auth/sign-in", "/api/v1/auth/sign-in", 200, "{\"username\":\"oa-user\",\"password\":\"openapi password\"}", csrf: csrf);
            var signedIn = await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: true);
            await Record(browser, HttpMethod.Post, "/api/v1/auth/sign-out", "/api/v1/auth/sign-out", 403, "{}");
            await Record(browser, HttpMethod.Post, "/api/v1/auth/sign-out", "/api/v1/auth/sign-out", 200, "{}", csrf: signedIn);
        }

        var range = $"from={sampledAt.AddMinutes(-5):yyyy-MM-ddTHH:mm:ssZ}&to={sampledAt.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}";
        const string agents = "/api/v1/agents";
        const string host = "/api/v1/agents/{agentId}/host";
        const string containers = "/api/v1/agents/{agentId}/containers";
        const string history = "/api/v1/agents/{agentId}/containers/{containerName}/history";
        const string search = "/api/v1/containers";
        await Record(server.Client, HttpMethod.Get, "/api/v1/agents?page=1&size=10", agents, 200);
        await Record(server.Client, HttpMethod.Get, "/api/v1/agents?size=500", agents, 400);
        await Record(server.RawClient, HttpMethod.Get, "/api/v1/agents", agents, 401);
        await Record(server.RawClient, HttpMethod.Get, "/api/v1/agents", agents, 403, bearer: token);
        await Record(server.Client, HttpMethod.Get, $"/api/v1/agents/{agent}/host?{range}&step=60", host, 200);
        await Record(server.Client, HttpMethod.Get, $"/api/v1/agents/{agent}/host?to=0001-01-01T00:30:00Z", host, 400);
        await Record(server.Client, HttpMethod.Get, "/api/v1/agents/nobody-here/host", host, 404);
        await Record(server.Client, HttpMethod.Get, $"/api/v1/agents/{agent}/containers", containers, 200);
        await Record(server.Client, HttpMethod.Get, "/api/v1/agents/nobody-here/containers", containers, 404);
        await Record(server.Client, HttpMethod.Get, $"/api/v1/agents/{agent}/containers/redis-container/history?{range}", history, 200);
        await Record(server.Client, HttpMethod.Get, $"/api/v1/agents/{agent}/containers/redis-container/history?step=0", history, 400);
        await Record(server.Client, HttpMethod.Get, $"/api/v1/agents/{agent}/containers/never-seen/history", history, 404);
        await Record(server.Client, HttpMethod.Get, "/api/v1/containers?name=redis&status=running", search, 200);
        await Record(server.Client, HttpMethod.Get, "/api/v1/containers?status=RUNNING", search, 400);
        const string incidents = "/api/v1/alerts/incidents";
        const string rules = "/api/v1/alerts/rules";
        const string rule = "/api/v1/alerts/rules/{name}";
        await Record(server.Client, HttpMethod.Get, $"{incidents}?state=all", incidents, 200);
        await Record(server.Client, HttpMethod.Get, $"{incidents}?state=sometimes", incidents, 400);
        await Record(server.Client, HttpMethod.Get, rules, rules, 200);
        await Record(server.RawClient, HttpMethod.Get, rules, rules, 401);
        await Record(server.Client, HttpMethod.Get, "/api/v1/alerts/channels", "/api/v1/alerts/channels", 200);
        await Record(server.Client, HttpMethod.Get, "/api/v1/alerts/silences", "/api/v1/alerts/silences", 200);
        await Record(server.Client, HttpMethod.Put, "/api/v1/alerts/rules/r1", rule, 403, "{\"name\": \"r1\", \"kind\": \"absence\"}");
        await server.AddAdminAsync("oa-admin", "openapi admin password");
        using (var admin = await AdminSession.SignInAsync(server.BaseAddress, "oa-admin", "openapi admin password"))
        {
            await Record(admin, HttpMethod.Put, "/api/v1/alerts/rules/r1", rule, 200, "{\"name\": \"r1\", \"kind\": \"absence\"}");
            await Record(admin, HttpMethod.Put, "/api/v1/alerts/rules/r1", rule, 400, "{\"name\": \"r1\", \"kind\": \"absence\", \"floor\": \"soon\"}");
            await Record(admin, HttpMethod.Put, "/api/v1/alerts/rules/r1", rule, 415, "name: r1", contentType: "text/html");
            await Record(admin, HttpMethod.Delete, "/api/v1/alerts/rules/r2", rule, 404);
            await Record(admin, HttpMethod.Post, "/api/v1/alerts/silences", "/api/v1/alerts/silences", 200, "{\"agents\": \"web-*\", \"minutes\": 30}");
            await Record(admin, HttpMethod.Post, "/api/v1/alerts/incidents/999/ack", "/api/v1/alerts/incidents/{id}/ack", 404, "{}");
        }

        var limiter = server.Services.GetRequiredService<QueryConcurrencyLimiter>();
        var key = QueryConcurrencyLimiter.PrincipalKey(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "test-reader")], AuthSchemes.Bearer)), null);
        for (var i = 0; i < QueryConcurrencyLimiter.MaxPerPrincipal; i++)
        {
            limiter.TryEnter(key);
        }

        await Record(server.Client, HttpMethod.Get, "/api/v1/containers", search, 429);

        var folder = Directory.CreateTempSubdirectory("ss-openapi-").FullName;
        try
        {
            var docPath = Path.Combine(folder, "openapi.json");
            var answersPath = Path.Combine(folder, "answers.json");
            await File.WriteAllTextAsync(docPath, docText);
            await File.WriteAllTextAsync(answersPath, new JsonArray([.. _answers]).ToJsonString());
            var (exit, output) = await RunNodeAsync(checker, docPath, answersPath);
            Assert.True(exit == 0, output);
            Assert.Contains($"checked the document and {_answers.Count} answers; 0 problems", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task Record(HttpClient client, HttpMethod method, string url, string template, int expected,
        string? body = null, string? bearer = null, string? csrf = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType + (contentType.Contains("json", StringComparison.Ordinal) ? "; charset=utf-8" : ""));
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (csrf is not null)
        {
            request.Headers.Add(AuthSchemes.CsrfHeader, csrf);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{method} {url}: expected {expected}, got {(int)response.StatusCode} {text}");
        _answers.Add(new JsonObject
        {
            ["path"] = template,
            ["method"] = method.Method.ToLowerInvariant(),
            ["status"] = expected,
            ["body"] = JsonNode.Parse(text),
        });
    }

    private static async Task<(int Exit, string Output)> RunNodeAsync(string folder, string docPath, string answersPath)
    {
        var start = new ProcessStartInfo("node", ["check.mjs", docPath, answersPath])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout + await stderr);
    }
}
