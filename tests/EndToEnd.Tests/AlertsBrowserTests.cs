using System.Net.Http.Headers;
using Microsoft.Playwright;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The alerts page in Debian's Chromium: an admin creates a rule in the editor (an invalid one is refused with the
/// field named), sends a test notice, sees the rule fire on a container's exit, acknowledges it, and finds it on the
/// host page's alert list and chart; a reader sees the same page without the controls that change anything.
/// </summary>
public sealed class AlertsBrowserTests
{
    private static readonly string Artifacts = Path.Combine(MariaDb.RepositoryRoot, ".tmp", "test-artifacts");

    [Fact]
    public async Task An_admin_creates_a_rule_in_the_editor_and_sees_it_fire_and_a_reader_only_sees()
    {
        Directory.CreateDirectory(Artifacts);
        await using var hook = await WebhookReceiver.StartAsync();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = hook.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
        });
        Assert.True(await server.AddAdminAsync("alert-admin", "alert admin password"));
        Assert.True(await server.AddUserAsync("alert-reader", "alert reader password"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.Contains("400", StringComparison.Ordinal)) { errors.Add(message.Text); } };
        page.PageError += (_, error) => errors.Add(error);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();

        await page.GotoAsync(server.BaseAddress + "#/alerts");
        await Browser.SignInAsync(page, "alert-admin", "alert admin password");
        await page.Locator("table.rules").WaitForAsync();
        Assert.Equal(7, await page.Locator("table.rules tr[data-rule]").CountAsync()); // the defaults
        Assert.Equal(1, await page.Locator("tr[data-channel='hook']").CountAsync());

        // The editor refuses an invalid rule with the field named, and nothing is stored.
        await page.ClickAsync("text=New rule");
        await page.Locator("form.rule-editor").WaitForAsync();
        await page.FillAsync("form.rule-editor input[name=name]", "too-hot");
        await page.SelectOptionAsync("form.rule-editor select[name=metric]", "host.memory_percent");
        await page.FillAsync("form.rule-editor input[name=threshold]", "150");
        await page.ClickAsync("form.rule-editor button[type=submit]");
        await page.Locator("form.rule-editor .error:has-text('threshold: out of range')").WaitForAsync();
        Assert.Equal(7, await page.Locator("table.rules tr[data-rule]").CountAsync());

        // A state rule: any exit of "web" with a code.
        await page.FillAsync("form.rule-editor input[name=name]", "web-exits");
        await page.SelectOptionAsync("form.rule-editor select[name=kind]", "state");
        Assert.True(await page.Locator("form.rule-editor select[name=metric]").IsHiddenAsync());
        await page.SelectOptionAsync("form.rule-editor select[name=condition]", "exited_nonzero");
        await page.FillAsync("form.rule-editor input[name=containers]", "web");
        await page.FillAsync("form.rule-editor input[name=channels]", "hook");
        await page.ClickAsync("form.rule-editor button[type=submit]");
        await page.Locator("table.rules tr[data-rule='web-exits']").WaitForAsync();
        Assert.Contains("containers web", await page.Locator("table.rules tr[data-rule='web-exits']").TextContentAsync(), StringComparison.Ordinal);

        // Send test: delivered, shown, received.
        await page.ClickAsync("tr[data-channel='hook'] button");
        await page.Locator("[data-test-result='hook']:has-text('delivered')").WaitForAsync();
        Assert.Equal("test", (string?)hook.Notices.Single()["kind"]);

        // The rule fires on a container's exit.
        var agent = Reports.NewAgentId("ui");
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agent));
        var t = WireTimestamp.Truncate(DateTime.UtcNow.AddSeconds(-20));
        Assert.True((await Reports.PostAsync(client, Reports.OneContainer(agent, t, "web", "running"))).IsSuccessStatusCode);
        Assert.True((await Reports.PostAsync(client, Reports.OneContainer(agent, t.AddSeconds(10), "web", "exited", ("die", 3, t.AddSeconds(9))))).IsSuccessStatusCode);
        await hook.WaitForAsync(WebhookReceiver.Is("firing", "web-exits"), TimeSpan.FromSeconds(30), "the new rule's firing notice");
        await page.GotoAsync(server.BaseAddress + "#/");
        await page.GotoAsync(server.BaseAddress + "#/alerts");
        var firing = page.Locator("table.incidents tr[data-rule='web-exits']");
        await firing.WaitForAsync();
        var firingText = await firing.TextContentAsync() ?? "";
        Assert.True(firingText.Contains("exited with code 3", StringComparison.Ordinal), firingText);
        Assert.Contains("warn", await firing.GetAttributeAsync("class") ?? "", StringComparison.Ordinal); // severity warning, the editor's default
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "alerts.png"), FullPage = true });
        await firing.Locator("button[data-ack]").ClickAsync();
        await page.Locator("table.incidents tr[data-rule='web-exits']:has-text('acked by alert-admin')").WaitForAsync();
        Assert.Contains("acknowledged incident", await page.Locator("ul.silences").TextContentAsync() ?? "", StringComparison.Ordinal);

        // The host page lists the alert and marks it on its charts.
        await page.GotoAsync(server.BaseAddress + $"#/agent/{agent}");
        await page.Locator("section.alerts tr[data-rule='web-exits']").WaitForAsync();
        Assert.True(await page.Locator("[data-chart='Host CPU'] line.marker.alert").CountAsync() >= 1);
        Assert.Empty(errors);

        // A reader sees the alerts, not the controls.
        var reader = await browser.NewPageAsync();
        await reader.GotoAsync(server.BaseAddress + "#/alerts");
        await Browser.SignInAsync(reader, "alert-reader", "alert reader password");
        await reader.Locator("table.incidents tr[data-rule='web-exits']").WaitForAsync();
        Assert.Equal(0, await reader.Locator("text=New rule").CountAsync());
        Assert.Equal(0, await reader.Locator("tr[data-channel='hook'] button").CountAsync());
        Assert.Equal(0, await reader.Locator("button[data-ack]").CountAsync());
        Assert.Equal(0, await reader.Locator("form.silence-editor").CountAsync());
    }
}
