using Microsoft.Playwright;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>Sign-in, sign-out and hostile names, in Debian's Chromium against the real server.</summary>
public sealed class DashboardSecurityBrowserTests
{
    // Container and node names are whatever an agent sends: here, markup that would run if it were parsed.
    private const string HostileContainer = "<img src=x onerror=\"window.__xss=1\">";
    private const string HostileNode = "<script>window.__xss=2</script>";

    [Fact]
    public async Task Only_a_signed_in_user_sees_data_hostile_names_show_as_text_and_sign_out_ends_the_session()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        Assert.True(await server.AddUserAsync("ops", "dashboard password"));
        var agent = Reports.NewAgentId("xss");
        var report = Reports.Seed(agent, WireTimestamp.Truncate(DateTime.UtcNow.AddSeconds(-5)));
        report["container_stats"]![0]!["container_name"] = HostileContainer;
        report["container_stats"]![0]!["node_name"] = HostileNode;
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Reports.PostAsync(server.Client, report)).StatusCode);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        // Not signed in: the sign-in form, and the API itself refuses the browser.
        await page.GotoAsync(server.BaseAddress + $"#/agent/{agent}");
        await page.Locator("form.sign-in").WaitForAsync();
        Assert.Equal(401, await page.EvaluateAsync<int>("fetch('/api/v1/agents').then(r => r.status)"));
        Assert.Equal(0, await page.Locator("[data-agent]").CountAsync());

        await Browser.SignInAsync(page, "ops", "not the password");
        var alert = page.Locator("form.sign-in [role=alert]");
        await Assertions.Expect(alert).ToHaveTextAsync("wrong username or password");
        var artifacts = Path.Combine(MariaDb.RepositoryRoot, ".tmp", "test-artifacts");
        Directory.CreateDirectory(artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "sign-in.png") });

        await page.FillAsync("input[name=password]", "dashboard password");
        await page.ClickAsync("form.sign-in button[type=submit]");
        var row = page.Locator("tr[data-container]").First;
        await row.WaitForAsync();

        // The hostile name is shown character for character, and nothing in it ran or became an element.
        Assert.Equal(1, await page.GetByRole(AriaRole.Link, new() { Name = HostileContainer, Exact = true }).CountAsync());
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.__xss"));
        Assert.Equal("ops", await page.Locator("[data-user]").TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "hostile-names.png"), FullPage = true });

        await page.ClickAsync("#sign-out");
        await page.Locator("form.sign-in").WaitForAsync();
        Assert.Equal(401, await page.EvaluateAsync<int>("fetch('/api/v1/agents').then(r => r.status)"));
        Assert.Empty(errors);
    }
}
