using Microsoft.Playwright;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>Every container name the server accepts opens in the dashboard, whatever it holds (Debian's Chromium).</summary>
public sealed class DashboardNamesBrowserTests
{
    // Names a browser or a router could mangle: an encoded slash, query and fragment marks, a bare percent sign,
    // spaces and non-ASCII, leading dots. ("a/b", "." and ".." are refused at ingest: see the ingest rules.)
    private static readonly string[] Names = ["a%2Fb", "x?y#z", "100%", "ü😀 中文", "a b", "..a", ".hidden", "semi;colon", "plus+sign"];

    [Fact]
    public async Task Each_accepted_name_opens_its_own_container_page()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        Assert.True(await server.AddUserAsync("names", "dashboard password"));
        var agent = Reports.NewAgentId("names");
        var report = Reports.WithContainerNames(Reports.Seed(agent, WireTimestamp.Truncate(DateTime.UtcNow.AddSeconds(-5))), Names);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Reports.PostAsync(server.Client, report)).StatusCode);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(server.BaseAddress + $"#/agent/{agent}");
        await Browser.SignInAsync(page, "names", "dashboard password");
        await page.Locator("tr[data-container]").First.WaitForAsync();

        foreach (var name in Names)
        {
            await page.GotoAsync(server.BaseAddress + $"#/agent/{agent}");
            await page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
            // The page's heading is set only once the container's history came back from the API.
            await Assertions.Expect(page.Locator("main h2")).ToHaveTextAsync(name);
            await page.Locator(".timeline").WaitForAsync();
            Assert.True(await page.Locator(".timeline span.up, .timeline span.down").CountAsync() > 0, $"{name}: no sample in its timeline");
        }

        Assert.Empty(errors);
    }
}
