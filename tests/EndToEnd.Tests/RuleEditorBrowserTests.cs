using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The dashboard's rule editor in Debian's Chromium keeps what it did not change: a rule opened and saved as it is
/// comes back with its description, a glob whose set holds a comma, and a label pattern holding '='.
/// </summary>
public sealed class RuleEditorBrowserTests
{
    [Fact]
    public async Task A_rule_opened_and_saved_unchanged_is_stored_unchanged()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        Assert.True(await server.AddAdminAsync("editor-admin", "editor admin password"));
        using var admin = await AdminSession.SignInAsync(server.BaseAddress, "editor-admin", "editor admin password");
        const string rule = "{\"name\": \"odd-globs\", \"kind\": \"state\", \"condition\": \"exited_nonzero\", \"description\": \"pages the on-call, see runbook 7\", " +
                            "\"scope\": {\"containers\": [\"[a,b]*\", \"web-*\"], \"labels\": {\"env\": \"a=b*\"}}}";
        Assert.True((await admin.PutAsync("/api/v1/alerts/rules/odd-globs", AdminSession.Json(rule))).IsSuccessStatusCode);
        async Task<string> StoredAsync() => (await server.Client.GetFromJsonAsync<JsonObject>("/api/v1/alerts/rules"))!["data"]!["rules"]!.AsArray()
            .Single(r => (string?)r!["name"] == "odd-globs")!.ToJsonString();
        var before = await StoredAsync();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.BaseAddress + "#/alerts");
        await Browser.SignInAsync(page, "editor-admin", "editor admin password");
        await page.Locator("table.rules tr[data-rule='odd-globs'] button:has-text('Edit')").ClickAsync();
        await page.Locator("form.rule-editor").WaitForAsync();
        Assert.Equal("pages the on-call, see runbook 7", await page.InputValueAsync("form.rule-editor input[name=description]"));
        await page.ClickAsync("form.rule-editor button[type=submit]");
        await page.Locator("form.rule-editor").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        var after = await StoredAsync();
        Assert.Equal(before, after);
        Assert.Contains("[a,b]*", after, StringComparison.Ordinal);
        Assert.Contains("a=b*", after, StringComparison.Ordinal);
    }
}
