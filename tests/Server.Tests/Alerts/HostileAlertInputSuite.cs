using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Alerts;

/// <summary>
/// What an outside probe did to the alerting surfaces, on each database: an agent's longest names against globs made
/// to backtrack, an acknowledgement of an incident whose name is all wildcards, silences at the end of time, rule
/// imports that nest deep, amplify through anchors or arrive empty, and many imports at once. The server answers each
/// with a clear envelope or does the work; it never answers 5xx and never stops evaluating.
/// </summary>
public abstract class HostileAlertInputSuite<TDatabase> where TDatabase : TestDatabase, new()
{
    private const string AdminPassword = "hostile admin password";

    private static async Task<JsonObject> DataAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return body!;
    }

    private static async Task<(TDatabase Database, RunningServer Server, HttpClient Admin)> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var database = new TDatabase();
        await database.InitializeAsync();
        var server = await RunningServer.StartAsync(database, settings ?? []);
        await server.AddAdminAsync("hostile-admin", AdminPassword);
        return (database, server, await AdminSession.SignInAsync(server.BaseAddress, "hostile-admin", AdminPassword));
    }

    private static bool Stopping(RunningServer server) =>
        ((Microsoft.Extensions.Hosting.IHostApplicationLifetime)server.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime))!)
        .ApplicationStopping.IsCancellationRequested;

    [Fact]
    public async Task Backtracking_globs_and_an_acknowledged_name_of_wildcards_never_stop_evaluation()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var (database, server, admin) = await StartAsync(new Dictionary<string, string?>
        {
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = hook.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
        });
        await using var _ = database;
        await using var __ = server;
        using var ___ = admin;

        // Globs a backtracking matcher takes ages over against a long run of dashes; scoped on a rule and on a silence.
        const string rule = "{\"name\": \"dashes\", \"kind\": \"state\", \"condition\": \"exited_nonzero\", \"scope\": {\"containers\": " +
                            "[\"*-*-*-*-1\", \"web-*-*-*-[0-9]\", \"*_*_*_*_db\"]}}";
        await DataAsync(await admin.PutAsync("/api/v1/alerts/rules/dashes", AdminSession.Json(rule)));
        await DataAsync(await admin.PostAsync("/api/v1/alerts/silences", AdminSession.Json(
            "{\"agents\": \"*\", \"containers\": \"*-*-*-*-*-*-2\", \"minutes\": 30, \"reason\": \"maintenance\"}")));

        var agentId = Reports.NewAgentId("glob");
        using var agent = new HttpClient { BaseAddress = server.BaseAddress };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agentId));
        var t = WireTimestamp.Truncate(DateTime.UtcNow).AddSeconds(-30);
        var dashes = new string('-', WireNames.MaxLength);
        var wild = new string('-', WireNames.MaxLength - 1) + "?";
        async Task PostAsync(int second, string name, string status, params (string, int?)[] events)
        {
            var answer = await Reports.PostAsync(agent, Reports.OneContainer(agentId, t.AddSeconds(second), name, status,
                events.Select(e => (e.Item1, e.Item2, t.AddSeconds(second - 1))).ToArray()));
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        await PostAsync(0, dashes, "running");
        await PostAsync(2, dashes, "exited", ("die", 3));
        await hook.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero", $"{agentId}/{dashes}"), TimeSpan.FromSeconds(30), "the dashes' notice");
        await PostAsync(4, wild, "running");
        await PostAsync(6, wild, "exited", ("die", 4));
        await hook.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero", $"{agentId}/{wild}"), TimeSpan.FromSeconds(30), "the wildcard name's notice");

        // Acknowledging it makes a silence naming exactly that container: 254 characters and a '?' written as "[?]".
        var incidents = (await DataAsync(await admin.GetAsync($"/api/v1/alerts/incidents?agent={agentId}&state=firing")))["data"]!.AsArray();
        var incident = incidents.Single(i => (string?)i!["containerName"] == wild)!;
        var ack = await DataAsync(await admin.PostAsync($"/api/v1/alerts/incidents/{(long)incident["id"]!}/ack", AdminSession.Json("{\"minutes\": 30}")));
        Assert.Equal(new string('-', WireNames.MaxLength - 1) + "[?]", (string?)ack["data"]!["containers"]);

        // Evaluation goes on past the silence: a later exit of another container is told, the acknowledged one's is not.
        await PostAsync(8, wild, "running", ("start", null));
        await PostAsync(10, "after", "running");
        await PostAsync(12, "after", "exited", ("die", 5));
        await PostAsync(12, wild, "exited", ("die", 6));
        await hook.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero", $"{agentId}/after"), TimeSpan.FromSeconds(30), "a notice after the acknowledgement");
        await Task.Delay(1000);
        Assert.DoesNotContain(hook.Notices, n => (string?)n["target"] == $"{agentId}/{wild}" && ((string?)n["summary"])!.Contains("code 6", StringComparison.Ordinal));
        Assert.False(Stopping(server), "the server is stopping");
    }

    [Fact]
    public async Task Silences_at_the_end_of_time_or_past_the_limit_are_refused_cleanly()
    {
        var (database, server, admin) = await StartAsync();
        await using var _ = database;
        await using var __ = server;
        using var ___ = admin;
        await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/silences", AdminSession.Json(
            "{\"agents\": \"*\", \"startsAt\": \"9999-12-31T23:00:00Z\", \"minutes\": 120, \"reason\": \"forever\"}")),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "minutes");
        Assert.Empty((await DataAsync(await admin.GetAsync("/api/v1/alerts/silences")))["data"]!.AsArray());

        // A thousand in force at most: each is matched against every target at every pass.
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await DataAsync(await admin.PostAsync("/api/v1/alerts/silences", AdminSession.Json($"{{\"containers\": \"c-{i}\", \"minutes\": 60}}")));
            }
            finally
            {
                gate.Release();
            }
        }));
        await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/silences", AdminSession.Json("{\"containers\": \"one-more\", \"minutes\": 60}")),
            HttpStatusCode.Conflict, ResultCodes.Conflict, "1000 are in force already");
        Assert.Equal(1000, (await DataAsync(await admin.GetAsync("/api/v1/alerts/silences")))["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Yaml_that_nests_deep_amplifies_through_anchors_or_is_empty_is_refused_and_changes_nothing()
    {
        var (database, server, admin) = await StartAsync();
        await using var _ = database;
        await using var __ = server;
        using var ___ = admin;
        var before = (await DataAsync(await admin.GetAsync("/api/v1/alerts/rules")))["data"]!["rules"]!.ToJsonString();

        var deep = new string('[', 40_000) + new string(']', 40_000);
        foreach (var (method, path) in new[] { ("POST", "/api/v1/alerts/rules/import"), ("PUT", "/api/v1/alerts/rules/deep"), ("PUT", "/api/v1/alerts/channels/deep") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = AdminSession.Yaml(deep) };
            await Envelope.AssertErrorAsync(await admin.SendAsync(request), HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "nested deeper than 64 levels");
        }

        // Billion laughs as a mapping key, and anchors that multiply a list of patterns far past what the body holds.
        var laughs = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 10; i++)
        {
            laughs.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/rules/import", AdminSession.Yaml(laughs + "? *a9\n: x\n")),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "body: ");
        var patterns = string.Join(", ", Enumerable.Range(0, 800).Select(i => $"web-{i}-*"));
        var shared = $"rules:\n  - {{name: r0, kind: absence, scope: {{containers: &p [{patterns}]}}}}\n" +
                     string.Concat(Enumerable.Range(1, 99).Select(i => $"  - {{name: r{i}, kind: absence, scope: {{containers: *p}}}}\n"));
        await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/rules/import", AdminSession.Yaml(shared)),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "rules[0].scope: at most 100 patterns, got 800");
        var many = "rules:\n" + string.Concat(Enumerable.Range(0, 30).Select(i =>
            $"  - {{name: m{i}, kind: state, condition: oom_killed, scope: {{containers: [{string.Join(", ", Enumerable.Range(0, 90).Select(j => $"c{i}-{j}"))}]}}}}\n"));
        await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/rules/import", AdminSession.Yaml(many)),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "at most 2000 scope patterns over all rules, got 2700");

        // An empty body (or an empty first document) replacing every rule is a mistake, not "delete everything".
        foreach (var empty in new[] { "", "---\n---\nrules: []\n", "~\n" })
        {
            await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/rules/import?replace=true", AdminSession.Yaml(empty)),
                HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "no rules document");
        }

        Assert.Equal(before, (await DataAsync(await admin.GetAsync("/api/v1/alerts/rules")))["data"]!["rules"]!.ToJsonString());
        Assert.False(Stopping(server), "the server is stopping");
    }

    [Fact]
    public async Task Forty_rule_imports_at_once_all_succeed()
    {
        var (database, server, admin) = await StartAsync();
        await using var _ = database;
        await using var __ = server;
        using var ___ = admin;
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await admin.PostAsync(i % 2 == 0 ? "/api/v1/alerts/rules/import" : "/api/v1/alerts/rules/import?replace=true",
                AdminSession.Yaml($"rules:\n  - {{name: same, kind: absence, floor: {i + 1}m}}\n  - {{name: own-{i}, kind: absence}}\n"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        Assert.All(answers, a => Assert.True(a.Item1 == 200, $"{a.Item1}: {a.Item2}"));
        var names = (await DataAsync(await admin.GetAsync("/api/v1/alerts/rules")))["data"]!["rules"]!.AsArray().Select(r => (string)r!["name"]!).ToList();
        Assert.Contains("same", names);
    }
}

public sealed class SqliteHostileAlertInputTests : HostileAlertInputSuite<SqliteTestDatabase>;

public sealed class MariaDbHostileAlertInputTests : HostileAlertInputSuite<MariaDbTestDatabase>;
