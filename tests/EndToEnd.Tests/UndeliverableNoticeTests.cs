using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Notices that no channel can take never hold others back: a container named <c>café</c> reaches ntfy with its
/// name intact; a payload the receiver refuses (400) is parked with its reason and the next notice still goes; a
/// mail channel that asks a real SMTP server (aiosmtpd) for what it does not offer (AUTH, STARTTLS) fails its own
/// notices and "send test" with the reason, while every other channel keeps delivering.
/// </summary>
public sealed class UndeliverableNoticeTests
{
    private const string AdminPassword = "undeliverable admin";

    private static DateTime Now() => StackScope.Contracts.WireTimestamp.Truncate(DateTime.UtcNow);

    private static async Task PostAsync(HttpClient agent, string agentId, DateTime at, string container, string status, params (string, int?)[] events)
    {
        var report = Reports.OneContainer(agentId, at, container, status, events.Select(e => (e.Item1, e.Item2, at.AddSeconds(-1))).ToArray());
        var answer = await Reports.PostAsync(agent, report);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }

    private static async Task<HttpClient> AgentAsync(RunningServer server, string agentId)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agentId));
        return client;
    }

    private static async Task<JsonNode> ChannelAsync(RunningServer server, string name) =>
        (await server.Client.GetFromJsonAsync<JsonObject>("/api/v1/alerts/channels"))!["data"]!.AsArray().Single(c => (string?)c!["name"] == name)!;

    [Fact]
    public async Task A_non_ascii_title_reaches_ntfy_and_a_refused_notice_is_parked_without_holding_back_the_next()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:phone:Type"] = "ntfy",
            ["Alerts:Channels:phone:Url"] = receiver.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
            ["Alerts:MaxBackoffSeconds"] = "1",
        });
        var agentId = Reports.NewAgentId("ntfy");
        using var agent = await AgentAsync(server, agentId);
        var t = Now().AddSeconds(-20);

        // The receiver refuses the first notice's payload for good; the ones after it must still arrive.
        receiver.Refuses = body => body.Contains("refused-one", StringComparison.Ordinal);
        await PostAsync(agent, agentId, t, "refused-one", "running");
        await PostAsync(agent, agentId, t.AddSeconds(2), "refused-one", "exited", ("die", 3));
        await Delivered.WaitUntilAsync(async () => (int)(await ChannelAsync(server, "phone"))["parked"]! == 1, "the refused notice parked", 30);
        await PostAsync(agent, agentId, t.AddSeconds(4), "café", "running");
        await PostAsync(agent, agentId, t.AddSeconds(6), "café", "exited", ("die", 4));
        await Delivered.WaitUntilAsync(() => Task.FromResult(receiver.Raw.Any(r => r.Text.Contains("café", StringComparison.Ordinal))), "the café notice", 30);

        var cafe = receiver.Raw.Single(r => r.Text.Contains("café", StringComparison.Ordinal));
        var title = cafe.Headers["Title"];
        Assert.True(title.All(c => c is >= ' ' and <= '~'), title);
        Assert.Equal($"[FIRING critical] container-exited-nonzero: {agentId}/café", MimeKit.Utils.Rfc2047.DecodeText(System.Text.Encoding.ASCII.GetBytes(title)));
        var channel = await ChannelAsync(server, "phone");
        Assert.Equal(0, (int)channel["pending"]!);
        Assert.Contains("HTTP 400", (string?)channel["parkedError"], StringComparison.Ordinal);
        Assert.DoesNotContain(receiver.Raw, r => r.Text.Contains("refused-one", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mail_channel_asking_for_what_the_server_lacks_fails_alone_and_says_why()
    {
        using var smtp = await SmtpServer.StartAsync();
        await using var hook = await WebhookReceiver.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = hook.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
            ["Alerts:MaxBackoffSeconds"] = "1",
        };
        foreach (var (name, security, user) in new[] { ("auth", "none", "ops"), ("tls", "starttls", ""), ("mail", "none", "") })
        {
            settings[$"Alerts:Channels:{name}:Type"] = "email";
            settings[$"Alerts:Channels:{name}:SmtpHost"] = "127.0.0.1";
            settings[$"Alerts:Channels:{name}:SmtpPort"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Alerts:Channels:{name}:SmtpSecurity"] = security;
            settings[$"Alerts:Channels:{name}:SmtpUsername"] = user;
            settings[$"Alerts:Channels:{name}:SmtpPassword"] = user.Length > 0 ? "secret" : "";
            settings[$"Alerts:Channels:{name}:From"] = "stackscope@example.org";
            settings[$"Alerts:Channels:{name}:To"] = "ops@example.org";
        }

        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, settings);
        await server.AddAdminAsync("mail-admin", AdminPassword);
        using var admin = await AdminSession.SignInAsync(server.BaseAddress, "mail-admin", AdminPassword);

        // "Send test" on each: an answer that names the cause, never a 500.
        foreach (var (name, cause) in new[] { ("auth", "authentication"), ("tls", "STARTTLS") })
        {
            var test = await admin.PostAsync($"/api/v1/alerts/channels/{name}/test", null);
            var body = (await test.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.True(test.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.False((bool)body["data"]!["delivered"]!, body.ToJsonString());
            Assert.Contains(cause, (string?)body["data"]!["error"], StringComparison.OrdinalIgnoreCase);
        }

        // A real alert to every channel: the webhook and the working mail channel get it, twice over (firing, resolved).
        var agentId = Reports.NewAgentId("smtp");
        using var agent = await AgentAsync(server, agentId);
        var t = Now().AddSeconds(-20);
        await PostAsync(agent, agentId, t, "web", "running");
        await PostAsync(agent, agentId, t.AddSeconds(2), "web", "exited", ("die", 3));
        await hook.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero"), TimeSpan.FromSeconds(30), "firing notice");
        await PostAsync(agent, agentId, t.AddSeconds(4), "web", "running", ("start", null));
        await hook.WaitForAsync(WebhookReceiver.Is("resolved", "container-exited-nonzero"), TimeSpan.FromSeconds(30), "resolved notice");
        await Delivered.WaitUntilAsync(() => Task.FromResult(smtp.Lines.Count(l => l.StartsWith("Subject: [RESOLVED]", StringComparison.Ordinal)) == 1),
            "the resolved mail", 30);
        foreach (var name in new[] { "auth", "tls" })
        {
            await Delivered.WaitUntilAsync(async () => (int)(await ChannelAsync(server, name))["parked"]! == 2, $"both notices of {name} parked", 30);
        }

        var lifetime = (Microsoft.Extensions.Hosting.IHostApplicationLifetime)server.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime))!;
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the server is stopping");
    }
}
