using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Notices through real failures: the receiver down (connection refused) while changes happen and the server
/// SIGKILLed between firing and sending; two server processes on one MariaDB sharing the evaluation lease, the holder
/// killed; mail to a real SMTP server on loopback (Debian's aiosmtpd).
/// </summary>
public sealed class AlertDeliveryTests
{
    private static string[] AlertArgs(WebhookReceiver hook) =>
    [
        "--Alerts:Channels:hook:Type", "webhook", "--Alerts:Channels:hook:Url", hook.Url,
        "--Alerts:EvaluateIntervalSeconds", "0.25", "--Alerts:MaxBackoffSeconds", "1", "--Alerts:LeaseSeconds", "5",
    ];

    private static async Task PostAsync(Uri server, string token, string agent, DateTime at, string container, string status, params (string, int?)[] events)
    {
        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var report = Reports.OneContainer(agent, at, container, status, events.Select(e => (e.Item1, e.Item2, at.AddSeconds(-1))).ToArray());
        var answer = await Reports.PostAsync(client, report);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }

    private static async Task<int> PendingAsync(Uri server, string readToken)
    {
        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", readToken);
        var channels = await client.GetFromJsonAsync<JsonObject>("/api/v1/alerts/channels");
        return channels!["data"]!.AsArray().Where(c => (string?)c!["name"] == "hook").Select(c => (int)c!["pending"]!).Single();
    }

    private static DateTime Now() => StackScope.Contracts.WireTimestamp.Truncate(DateTime.UtcNow);

    [Fact]
    public async Task Notices_wait_out_a_receiver_outage_and_a_server_SIGKILL_and_arrive_once_in_order()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        await hook.StopListeningAsync(); // down: connections refused
        await using var database = new SqliteTestDatabase();
        var agent = Reports.NewAgentId("obx");
        var token = await TokenIssuer.AgentTokenAsync(database, agent);
        var reader = await TokenIssuer.ReadTokenAsync(database, "obx-reader");
        var port = Ports.Free();
        string[] args = [.. ServerProcess.StorageArgs(database), .. AlertArgs(hook)];
        var server = await ServerProcess.StartAsync(port, args);
        try
        {
            var t = Now().AddSeconds(-20);
            await PostAsync(server.BaseAddress, token, agent, t, "one", "running");
            await PostAsync(server.BaseAddress, token, agent, t.AddSeconds(2), "one", "exited", ("die", 1));
            await PostAsync(server.BaseAddress, token, agent, t.AddSeconds(4), "one", "running", ("start", null));
            await PostAsync(server.BaseAddress, token, agent, t.AddSeconds(6), "two", "exited", ("die", 2));
            await Delivered.WaitUntilAsync(async () => await PendingAsync(server.BaseAddress, reader) == 3, "three notices in the outbox", 30);

            // Killed between firing and sending: the notices are in the database, not in the process.
            await server.KillAsync();
            await server.DisposeAsync();
            await hook.StartListeningAsync();
            server = await ServerProcess.StartAsync(port, args);
            await hook.WaitForAsync(n => hook.Notices.Count >= 3, TimeSpan.FromSeconds(30), "the three notices");
            await Task.Delay(TimeSpan.FromSeconds(3)); // a doubled one would have arrived by now
            Assert.Equal(0, await PendingAsync(server.BaseAddress, reader));
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.Equal(
            [("firing", $"{agent}/one"), ("resolved", $"{agent}/one"), ("firing", $"{agent}/two")],
            hook.Notices.Select(n => ((string)n["kind"]!, (string)n["target"]!)));
        Assert.Equal(3, hook.Received.Select(r => r.NoticeId).Distinct().Count());
    }

    [Fact]
    public async Task Two_servers_on_one_MariaDB_send_each_notice_once_and_the_survivor_takes_over_when_the_holder_dies()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        await using var database = new MariaDbTestDatabase();
        await database.InitializeAsync();
        var agent = Reports.NewAgentId("lease");
        var token = await TokenIssuer.AgentTokenAsync(database, agent);
        string[] args = [.. ServerProcess.StorageArgs(database), .. AlertArgs(hook)];
        var first = await ServerProcess.StartAsync(Ports.Free(), args);
        var second = await ServerProcess.StartAsync(Ports.Free(), args);
        try
        {
            var t = Now().AddSeconds(-20);
            // Reports reach both processes, as behind a load balancer.
            await PostAsync(first.BaseAddress, token, agent, t, "web", "running");
            await PostAsync(second.BaseAddress, token, agent, t.AddSeconds(2), "web", "exited", ("die", 3));
            await hook.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero"), TimeSpan.FromSeconds(30), "firing");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Single(hook.Notices);

            // Kill whichever holds the lease; the other takes it within Alerts:LeaseSeconds (5 s here; 30 s by default).
            var holder = first.Lines.Any(l => l.Contains("took the evaluation lease", StringComparison.Ordinal)) ? first : second;
            var survivor = holder == first ? second : first;
            Assert.DoesNotContain(survivor.Lines, l => l.Contains("took the evaluation lease", StringComparison.Ordinal));
            await holder.KillAsync();
            var killed = DateTime.UtcNow;
            await PostAsync(survivor.BaseAddress, token, agent, t.AddSeconds(4), "web", "running", ("start", null));
            await hook.WaitForAsync(WebhookReceiver.Is("resolved", "container-exited-nonzero"), TimeSpan.FromSeconds(60), "resolved from the survivor");
            Assert.True(DateTime.UtcNow - killed < TimeSpan.FromSeconds(30), "the survivor took over within the lease time and a pass");
            Assert.Contains(survivor.Lines, l => l.Contains("took the evaluation lease", StringComparison.Ordinal));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }

        Assert.Equal(["firing", "resolved"], hook.Notices.Select(n => (string)n["kind"]!));
    }

    [Fact]
    public async Task Mail_reaches_a_real_SMTP_server_with_subject_sender_recipients_and_summary()
    {
        using var smtp = await SmtpServer.StartAsync();
        var smtpPort = smtp.Port;
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:mail:Type"] = "email",
            ["Alerts:Channels:mail:SmtpHost"] = "127.0.0.1",
            ["Alerts:Channels:mail:SmtpPort"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Channels:mail:SmtpSecurity"] = "none",
            ["Alerts:Channels:mail:From"] = "stackscope@example.org",
            ["Alerts:Channels:mail:To"] = "ops@example.org, oncall@example.org",
            ["Alerts:Channels:broken:Type"] = "email",
            ["Alerts:Channels:broken:SmtpHost"] = "127.0.0.1",
            ["Alerts:Channels:broken:SmtpPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Channels:broken:SmtpSecurity"] = "none",
            ["Alerts:Channels:broken:From"] = "stackscope@example.org",
            ["Alerts:Channels:broken:To"] = "ops@example.org",
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
        });
        await server.AddAdminAsync("mail-admin", "mail admin password");
        using var admin = await AdminSession.SignInAsync(server.BaseAddress, "mail-admin", "mail admin password");

        // "Send test": delivered, and a channel that cannot be reached says why.
        var test = await admin.PostAsync("/api/v1/alerts/channels/mail/test", null);
        var result = (await test.Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        Assert.True((bool)result["delivered"]!, result.ToJsonString());
        var broken = (await (await admin.PostAsync("/api/v1/alerts/channels/broken/test", null)).Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        Assert.False((bool)broken["delivered"]!);
        Assert.Contains("SMTP 127.0.0.1", (string?)broken["error"], StringComparison.Ordinal);

        // A real alert by mail.
        var agent = Reports.NewAgentId("mail");
        var token = await server.Credentials.AgentTokenAsync(agent);
        var t = Now().AddSeconds(-10);
        await PostAsync(server.BaseAddress, token, agent, t, "web", "running");
        await PostAsync(server.BaseAddress, token, agent, t.AddSeconds(2), "web", "exited", ("die", 3));
        await Delivered.WaitUntilAsync(() => Task.FromResult(smtp.Lines.Any(l => l.StartsWith("Subject: [FIRING critical]", StringComparison.Ordinal))),
            "the firing mail at the SMTP server", 30);
        var mail = smtp.Lines.ToList();
        // Headers as a mail client reads them: a long Subject is folded onto a second line (RFC 5322).
        var text = string.Join('\n', mail).Replace("\n ", " ", StringComparison.Ordinal);
        Assert.True(mail.Contains("Subject: [TEST] StackScope notification channel"), text);
        Assert.Contains($"Subject: [FIRING critical] container-exited-nonzero: {agent}/web\n", text, StringComparison.Ordinal);
        Assert.True(mail.Any(l => l.StartsWith("From: stackscope@example.org", StringComparison.Ordinal)), text);
        Assert.True(mail.Any(l => l.StartsWith("To: ops@example.org, oncall@example.org", StringComparison.Ordinal)), text);
        Assert.True(mail.Any(l => l.Contains($"container web on {agent} exited with code 3", StringComparison.Ordinal)), text);
        Assert.True(mail.Any(l => l.StartsWith("X-StackScope-Notice-Id: ", StringComparison.Ordinal)), text);

        // The unreachable channel's failure shows on the channel list, and it does not hold the mail channel back.
        await Delivered.WaitUntilAsync(async () =>
        {
            var channels = await server.Client.GetFromJsonAsync<JsonObject>("/api/v1/alerts/channels");
            return channels!["data"]!.AsArray().Any(c => (string?)c!["name"] == "broken" && (string?)c["lastError"] is { } e && e.Contains("SMTP", StringComparison.Ordinal));
        }, "the broken channel's error on the channel list", 30);
    }
}
