using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// An agent's container names in notices stay text: Slack gets them with <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>
/// escaped (no mention, no disguised link); a mail client shows a name that looks like an RFC 2047 encoded word as
/// written, not decoded into other headers (through a real SMTP server, aiosmtpd, and MimeKit's parser as the client);
/// and a webhook URL's user:password reaches the receiver as basic authentication.
/// </summary>
public sealed class NoticeTextTests
{
    private const string Hostile = "<!channel> & <mailto:x@example.org|Open the dashboard>";
    private const string EncodedWord = "=?utf-8?q?x?= =?utf-8?q?=0D=0ABcc:_evil@example.org?=";

    private static async Task ExitAsync(RunningServer server, string container)
    {
        var agentId = Reports.NewAgentId("text");
        using var agent = new HttpClient { BaseAddress = server.BaseAddress };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agentId));
        var t = StackScope.Contracts.WireTimestamp.Truncate(DateTime.UtcNow).AddSeconds(-20);
        foreach (var (second, status, events) in new[] { (0, "running", Array.Empty<(string, int?, DateTime)>()), (2, "exited", [("die", (int?)3, t.AddSeconds(1))]) })
        {
            var answer = await Reports.PostAsync(agent, Reports.OneContainer(agentId, t.AddSeconds(second), container, status, events));
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Slack_gets_names_escaped_and_a_webhook_gets_its_urls_credentials()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:chat:Type"] = "slack",
            ["Alerts:Channels:chat:Url"] = receiver.Url,
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = receiver.Url.Replace("http://", "http://ops:p%40ss@", StringComparison.Ordinal),
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
        });
        await ExitAsync(server, Hostile);
        await receiver.WaitForAsync(n => (string?)n["kind"] == "firing" && n["rule"] is not null, TimeSpan.FromSeconds(30), "the webhook's notice");
        await Delivered.WaitUntilAsync(() => Task.FromResult(receiver.Raw.Any(r => r.Text.Contains("\"text\"", StringComparison.Ordinal))), "the Slack message", 30);

        var slack = (string)JsonNode.Parse(receiver.Raw.First(r => r.Text.Contains("\"text\"", StringComparison.Ordinal)).Text)!["text"]!;
        Assert.Contains("&lt;!channel&gt; &amp; &lt;mailto:x@example.org|Open the dashboard&gt;", slack, StringComparison.Ordinal);
        Assert.DoesNotContain("<", slack.Replace("<http", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var hook = receiver.Raw.First(r => r.Text.Contains("\"rule\"", StringComparison.Ordinal));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:p@ss")), hook.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_name_that_looks_like_an_encoded_word_shows_as_written_in_the_mail_subject()
    {
        using var smtp = await SmtpServer.StartAsync();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:mail:Type"] = "email",
            ["Alerts:Channels:mail:SmtpHost"] = "127.0.0.1",
            ["Alerts:Channels:mail:SmtpPort"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Channels:mail:SmtpSecurity"] = "none",
            ["Alerts:Channels:mail:From"] = "stackscope@example.org",
            ["Alerts:Channels:mail:To"] = "ops@example.org",
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
        });
        await ExitAsync(server, EncodedWord);
        await ExitAsync(server, "café");
        await Delivered.WaitUntilAsync(() => Task.FromResult(smtp.Lines.Count(l => l.StartsWith("X-StackScope-Notice-Id:", StringComparison.Ordinal)) >= 2),
            "both mails", 30);

        // The messages as aiosmtpd printed them (from their first header on), parsed by MimeKit as a mail client would.
        var text = string.Join("\r\n", smtp.Lines);
        var subjects = text.Split("---------- MESSAGE FOLLOWS ----------", StringSplitOptions.RemoveEmptyEntries).Where(m => m.Contains("From:", StringComparison.Ordinal))
            .Select(m => MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m[m.IndexOf("From:", StringComparison.Ordinal)..]))))
            .Select(m => (Subject: m.Subject ?? "", Bcc: m.Bcc.Count)).ToList();
        Assert.Contains(subjects, s => s.Subject.EndsWith("/" + EncodedWord, StringComparison.Ordinal) && s.Bcc == 0);
        Assert.Contains(subjects, s => s.Subject.EndsWith("/café", StringComparison.Ordinal));
        Assert.DoesNotContain(smtp.Lines, l => l.StartsWith("Subject:", StringComparison.Ordinal) && l.Contains("=?utf-8?q?", StringComparison.Ordinal));
    }
}
