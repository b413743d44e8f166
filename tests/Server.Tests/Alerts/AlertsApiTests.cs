using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Alerts;

/// <summary>
/// The alerts API on a real server: rules managed by admins only, invalid rules refused with the field named and
/// nothing changed; a container's exit told to a webhook once on firing and once on resolving, and the outbox
/// keeping every notice, in order, while the receiver is down.
/// </summary>
public sealed class AlertsApiTests
{
    private const string AdminPassword = "admin password 1";

    private static async Task<HttpClient> AdminAsync(RunningServer server, string name = "alert-admin")
    {
        await server.AddAdminAsync(name, AdminPassword);
        return await AdminSession.SignInAsync(server.BaseAddress, name, AdminPassword);
    }

    private static async Task<JsonObject> DataAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return body!;
    }

    private static async Task<List<string>> RuleNamesAsync(HttpClient client) =>
        (await DataAsync(await client.GetAsync("/api/v1/alerts/rules")))["data"]!["rules"]!.AsArray().Select(r => (string)r!["name"]!).ToList();

    [Fact]
    public async Task Rules_are_changed_by_admins_only_and_an_invalid_rule_changes_nothing()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        using var admin = await AdminAsync(server);

        // A fresh install has the documented defaults.
        var defaults = await RuleNamesAsync(server.Client);
        Assert.Equal(7, defaults.Count);
        Assert.Contains("container-exited-nonzero", defaults);

        const string rule = "{\"name\": \"web-cpu\", \"kind\": \"metric\", \"metric\": \"container.cpu_percent\", \"threshold\": 80, \"for\": \"2m\", \"scope\": {\"containers\": [\"web-*\"]}}";
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client.PutAsync("/api/v1/alerts/rules/web-cpu", AdminSession.Json(rule))).StatusCode);
        using (var noCsrf = new HttpClient(new HttpClientHandler()) { BaseAddress = server.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await noCsrf.PutAsync("/api/v1/alerts/rules/web-cpu", AdminSession.Json(rule))).StatusCode);
        }

        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/rules/web-cpu", AdminSession.Json(rule.Replace("80", "-5", StringComparison.Ordinal))),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "threshold: out of range");
        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/rules/web-cpu", AdminSession.Json(rule.Replace("web-*", "web-[", StringComparison.Ordinal))),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "scope.containers[0]: 'web-[' is a malformed pattern");
        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/rules/web-cpu", AdminSession.Json(rule.Replace("}}", "}, \"channels\": [\"pager\"]}", StringComparison.Ordinal))),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "channels[0]: no channel 'pager'");
        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/rules/other", AdminSession.Json(rule)),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "name: 'web-cpu' differs");
        Assert.Equal(defaults, await RuleNamesAsync(server.Client));

        await DataAsync(await admin.PutAsync("/api/v1/alerts/rules/web-cpu", AdminSession.Json(rule)));
        Assert.Contains("web-cpu", await RuleNamesAsync(server.Client));

        // Export, then import a file of one rule as the whole set; a malformed file changes nothing.
        var yaml = await server.Client.GetStringAsync("/api/v1/alerts/rules/export");
        Assert.Contains("name: web-cpu", yaml, StringComparison.Ordinal);
        await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/rules/import?replace=true", AdminSession.Yaml("rules:\n  - name: [broken\n")),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "body: malformed YAML");
        Assert.Equal(8, (await RuleNamesAsync(server.Client)).Count);
        var imported = await DataAsync(await admin.PostAsync("/api/v1/alerts/rules/import?replace=true",
            AdminSession.Yaml("rules:\n  - {name: only, kind: absence, floor: 2m}\n")));
        Assert.Equal(1, (int)imported["data"]!["imported"]!);
        Assert.Equal(["only"], await RuleNamesAsync(server.Client));
        await DataAsync(await admin.PostAsync("/api/v1/alerts/rules/import?replace=true", AdminSession.Yaml(yaml)));
        Assert.Equal(8, (await RuleNamesAsync(server.Client)).Count);

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/api/v1/alerts/rules/web-cpu")).StatusCode);
        await Envelope.AssertErrorAsync(await admin.DeleteAsync("/api/v1/alerts/rules/web-cpu"), HttpStatusCode.NotFound, ResultCodes.NotFound, "no rule 'web-cpu'");
    }

    [Fact]
    public async Task A_rules_file_is_the_source_of_truth_and_the_api_refuses_changes()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("ss-rules-").FullName, "rules.yaml");
        await File.WriteAllTextAsync(file, "rules:\n  - {name: from-file, kind: state, condition: oom_killed}\n");
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Alerts:RulesFile"] = file });
        using var admin = await AdminAsync(server);
        var view = (await DataAsync(await server.Client.GetAsync("/api/v1/alerts/rules")))["data"]!;
        Assert.Equal("file", (string)view["managedBy"]!);
        Assert.Equal(["from-file"], view["rules"]!.AsArray().Select(r => (string)r!["name"]!));
        await Envelope.AssertErrorAsync(await admin.DeleteAsync("/api/v1/alerts/rules/from-file"), HttpStatusCode.Conflict, ResultCodes.Conflict, "kept in the file");

        // An edit is read again; a broken one keeps the last good rules.
        await File.WriteAllTextAsync(file, "rules:\n  - {name: edited, kind: absence}\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(["edited"], await RuleNamesAsync(server.Client));
        await File.WriteAllTextAsync(file, "rules: [\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(["edited"], await RuleNamesAsync(server.Client));
    }

    [Fact]
    public async Task An_exit_is_told_once_firing_and_once_resolved_and_the_outbox_keeps_every_notice_in_order_while_the_receiver_is_down()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = receiver.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.2",
            ["Alerts:MaxBackoffSeconds"] = "1",
        });
        var agent = Reports.NewAgentId("al");
        var token = await server.Credentials.AgentTokenAsync(agent);
        using var agentClient = new HttpClient { BaseAddress = server.BaseAddress };
        agentClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var t = DateTime.UtcNow.AddSeconds(-30);
        t = t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

        async Task PostAsync(int second, string status, params (string Action, int? Code)[] events) => await PostAsOfAsync(second, "web", status, events);

        async Task PostAsOfAsync(int second, string name, string status, params (string Action, int? Code)[] events)
        {
            var report = Reports.OneContainer(agent, t.AddSeconds(second), name, status, events.Select((e, i) => (e.Action, e.Code, t.AddSeconds(second - 1))).ToArray());
            var answer = await Reports.PostAsync(agentClient, report);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        await PostAsync(0, "running");
        await PostAsync(2, "exited", ("die", 3));
        var fired = await receiver.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero"), TimeSpan.FromSeconds(20), "firing notice");
        Assert.Equal($"{agent}/web", (string?)fired["target"]);
        Assert.Contains("exited with code 3", (string?)fired["summary"], StringComparison.Ordinal);
        Assert.False((bool)fired["backfilled"]!);
        await PostAsync(4, "running", ("start", null));
        var resolved = await receiver.WaitForAsync(WebhookReceiver.Is("resolved", "container-exited-nonzero"), TimeSpan.FromSeconds(20), "resolved notice");
        Assert.Equal(2, (long)resolved["duration_seconds"]!);

        // The receiver answers 503: two more changes (of another container: a fifth of web's would be flapping) wait in
        // the outbox, the failure shows on the channel.
        receiver.Failing = true;
        await PostAsOfAsync(6, "api", "exited", ("die", 4));
        await PostAsOfAsync(8, "api", "running", ("start", null));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonNode? channel = null;
        while (DateTime.UtcNow < deadline)
        {
            channel = (await DataAsync(await server.Client.GetAsync("/api/v1/alerts/channels")))["data"]!.AsArray().Single(c => (string)c!["name"]! == "hook");
            if ((int)channel!["pending"]! == 2 && channel["lastError"] is not null)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(2, (int)channel!["pending"]!);
        Assert.Contains("HTTP 503", (string?)channel["lastError"], StringComparison.Ordinal);
        Assert.Equal("config", (string?)channel["source"]);
        receiver.Failing = false;
        await receiver.WaitForAsync(n => (string?)n["summary"] is { } s && s.Contains("runs again", StringComparison.Ordinal) && receiver.Notices.Count >= 4,
            TimeSpan.FromSeconds(30), "the notices held back");
        await Task.Delay(1500);
        var notices = receiver.Notices;
        Assert.Equal(["firing", "resolved", "firing", "resolved"], notices.Select(n => (string)n["kind"]!));
        Assert.Contains("code 4", (string?)notices[2]["summary"], StringComparison.Ordinal);
        Assert.Equal($"{agent}/api", (string?)notices[3]["target"]);
        Assert.Equal(4, receiver.Received.Select(r => r.NoticeId).Distinct().Count());

        // The incidents are kept: two, resolved, newest first.
        var incidents = (await DataAsync(await server.Client.GetAsync($"/api/v1/alerts/incidents?agent={agent}&state=resolved")))["data"]!.AsArray();
        Assert.Equal(2, incidents.Count);
        Assert.All(incidents, i => Assert.Equal("container-exited-nonzero", (string?)i!["rule"]));
    }

    [Fact]
    public async Task Channels_made_through_the_api_are_checked_and_slack_and_ntfy_receive_their_own_formats()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:fixed:Type"] = "webhook",
            ["Alerts:Channels:fixed:Url"] = receiver.Url,
        });
        using var admin = await AdminAsync(server);
        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/channels/chat", AdminSession.Json("{\"type\": \"slack\", \"url\": \"ftp://x\"}")),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "url: required: an absolute http(s) URL");
        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/channels/chat", AdminSession.Json("{\"type\": \"pager\", \"url\": \"http://x\"}")),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "type: unknown 'pager'");
        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/channels/mail", AdminSession.Json("{\"type\": \"email\", \"smtp_host\": \"smtp.example\", \"from\": \"a@b.c\", \"to\": [\"not an address\"]}")),
            HttpStatusCode.BadRequest, ResultCodes.InvalidRule, "to: 1-50 recipient addresses");
        await Envelope.AssertErrorAsync(await admin.PutAsync("/api/v1/alerts/channels/fixed", AdminSession.Json($"{{\"type\": \"webhook\", \"url\": \"{receiver.Url}\"}}")),
            HttpStatusCode.Conflict, ResultCodes.Conflict, "comes from configuration");

        await DataAsync(await admin.PutAsync("/api/v1/alerts/channels/chat", AdminSession.Yaml($"type: slack\nurl: {receiver.Url}?secret=abc\n")));
        await DataAsync(await admin.PutAsync("/api/v1/alerts/channels/phone", AdminSession.Json($"{{\"type\": \"ntfy\", \"url\": \"{receiver.Url}\"}}")));
        var listed = (await DataAsync(await server.Client.GetAsync("/api/v1/alerts/channels")))["data"]!.AsArray();
        Assert.Equal(["chat", "fixed", "phone"], listed.Select(c => (string)c!["name"]!).Order());
        Assert.DoesNotContain(listed, c => ((string)c!["destination"]!).Contains("secret", StringComparison.Ordinal));

        foreach (var name in new[] { "chat", "phone" })
        {
            var test = (await DataAsync(await admin.PostAsync($"/api/v1/alerts/channels/{name}/test", null)))["data"]!;
            Assert.True((bool)test["delivered"]!, test.ToJsonString());
        }

        var slack = receiver.Raw.Single(r => r.ContentType.StartsWith("application/json", StringComparison.Ordinal));
        Assert.StartsWith("*[TEST] StackScope notification channel*", (string)JsonNode.Parse(slack.Text)!["text"]!, StringComparison.Ordinal);
        var ntfy = receiver.Raw.Single(r => r.ContentType.StartsWith("text/plain", StringComparison.Ordinal));
        Assert.Equal("[TEST] StackScope notification channel", ntfy.Headers["Title"]);
        Assert.Equal("3", ntfy.Headers["Priority"]);
        Assert.Contains("A test notice from StackScope", ntfy.Text, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/api/v1/alerts/channels/chat")).StatusCode);
        await Envelope.AssertErrorAsync(await admin.PostAsync("/api/v1/alerts/channels/chat/test", null), HttpStatusCode.NotFound, ResultCodes.NotFound, "no channel 'chat'");
    }
}
