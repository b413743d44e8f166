using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// A signed-in user visits another site (another origin on loopback) whose page forges requests at ss-server:
/// a form POST that would sign the user out, and scripted reads of the API with the user's cookies.
/// </summary>
public sealed class CrossSiteBrowserTests
{
    [Fact]
    public async Task A_page_from_another_origin_can_neither_change_the_session_nor_read_the_data()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        Assert.True(await server.AddUserAsync("ops", "dashboard password"));
        var agent = Reports.NewAgentId("csrf");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent, WireTimestamp.Truncate(DateTime.UtcNow.AddMinutes(-1))))).StatusCode);
        var target = server.BaseAddress.ToString().TrimEnd('/');
        await using var attacker = await StartAttackerAsync(target);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(target + "/");
        await Browser.SignInAsync(page, "ops", "dashboard password");
        await page.Locator($"[data-agent='{agent}']").WaitForAsync();

        // The forged form POST arrives with the session cookie but without the CSRF token: refused, already for being a
        // form (415: forms are refused before the CSRF check would read them; a JSON body would still need the token).
        var forged = await context.NewPageAsync();
        var answer = forged.WaitForResponseAsync(r => r.Url.EndsWith("/api/v1/auth/sign-out", StringComparison.Ordinal));
        await forged.GotoAsync(attacker.Url + "/form");
        Assert.Equal(415, (await answer).Status);

        // Scripted reads with the user's cookies: the browser withholds the answers (no CORS grant).
        await forged.GotoAsync(attacker.Url + "/read");
        await forged.Locator("#result").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(forged.Locator("#result")).ToHaveTextAsync("blocked", new() { Timeout = 15000 });

        // The user is still signed in and sees the data.
        await page.ReloadAsync();
        await page.Locator($"[data-agent='{agent}']").WaitForAsync();
        Assert.Equal("ops", await page.Locator("[data-user]").TextContentAsync());
    }

    private static async Task<Attacker> StartAttackerAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/form", () => Results.Content($$"""
            <form id="f" method="post" action="{{target}}/api/v1/auth/sign-out"><input name="x" value="1"></form>
            <script>document.getElementById("f").submit();</script>
            """, "text/html"));
        app.MapGet("/read", () => Results.Content($$"""
            <div id="result"></div>
            <script>
            fetch("{{target}}/api/v1/agents", { credentials: "include" })
              .then(r => r.text()).then(t => document.getElementById("result").textContent = "read: " + t)
              .catch(() => document.getElementById("result").textContent = "blocked");
            </script>
            """, "text/html"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Attacker(app, address.TrimEnd('/'));
    }

    private sealed record Attacker(WebApplication App, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
