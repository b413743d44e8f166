using Microsoft.Playwright;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Long ranges in Debian's Chromium over 40 days of history maintained by `ss-server maintenance run`: the host page's
/// 30 d, 90 d and 1 y views draw average and maximum from the hour tier, 24 h from the 5-minute tier, and the storage
/// page lists every table with its tier, size and oldest data; at desktop and phone width.
/// </summary>
public sealed class RetentionBrowserTests
{
    private static readonly string Artifacts = Path.Combine(MariaDb.RepositoryRoot, ".tmp", "test-artifacts");

    [Fact]
    public async Task Long_ranges_draw_from_the_rollups_and_the_storage_page_lists_the_tiers()
    {
        Directory.CreateDirectory(Artifacts);
        await using var database = new SqliteTestDatabase();
        await new RetentionHistory(DateTime.UtcNow).SeedAsync(database);
        using (var run = new CapturedProcess(CapturedProcess.StartInfo("dotnet", [ServerProcess.DllPath, "maintenance", "run", .. ServerProcess.StorageArgs(database)])))
        {
            await run.Process.WaitForExitAsync();
            Assert.True(run.Process.ExitCode == 0, string.Join('\n', run.Lines));
        }

        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        Assert.True(await server.AddUserAsync("keeper", "keeper's password"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        var agent = RetentionHistory.Agents[0];
        await page.GotoAsync(server.BaseAddress + $"#/agent/{agent}");
        await Browser.SignInAsync(page, "keeper", "keeper's password");
        var caption = page.Locator("div.chart[data-chart='Host CPU'] div.muted");
        foreach (var (range, tier) in new[] { ("24h", "5m rollups"), ("30d", "1h rollups"), ("90d", "1h rollups"), ("1y", "1h rollups") })
        {
            await page.ClickAsync($"button[data-range='{range}']");
            await Assertions.Expect(caption).ToContainTextAsync(tier);
            // Average and maximum both drawn.
            Assert.True(await page.Locator("div.chart[data-chart='Host CPU'] svg path.avg").CountAsync() > 0, range);
            Assert.True(await page.Locator("div.chart[data-chart='Host CPU'] svg path.max").CountAsync() > 0, range);
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "host-1y.png"), FullPage = true });

        await page.GotoAsync(server.BaseAddress + "#/storage");
        await page.Locator("table.storage tr[data-table='container_5m']").WaitForAsync();
        Assert.Equal(8, await page.Locator("table.storage tbody tr").CountAsync());
        await Assertions.Expect(page.Locator("table.storage tr[data-table='server_1h'] td").Nth(1)).ToHaveTextAsync("1h");
        await Assertions.Expect(page.Locator("#last-run")).ToContainTextAsync("hour rows rolled up");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "storage.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "storage-phone.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
