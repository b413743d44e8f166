using System.Globalization;
using Microsoft.Playwright;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>The dashboard in Debian's Chromium, driven by Playwright, against a server with known history.</summary>
public sealed class DashboardBrowserTests(SeededFleet<SqliteTestDatabase> fleet) : IClassFixture<SeededFleet<SqliteTestDatabase>>
{
    private static readonly string Artifacts = Path.Combine(MariaDb.RepositoryRoot, ".tmp", "test-artifacts");

    [Fact]
    public async Task Fleet_host_and_container_pages_show_the_stored_figures_and_log_no_errors()
    {
        Directory.CreateDirectory(Artifacts);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var viewer = "viewer-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(await fleet.Server.AddUserAsync(viewer, "dashboard password"));
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, TimezoneId = "Asia/Seoul" });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") { errors.Add(message.Text); } };
        page.PageError += (_, error) => errors.Add(error);

        // Fleet: one card per agent, figures as stored, the offline agent marked.
        await page.GotoAsync(fleet.Server.BaseAddress.ToString());
        await Browser.SignInAsync(page, viewer, "dashboard password");
        var online = page.Locator($"[data-agent='{SeededFleet<SqliteTestDatabase>.Online}']");
        await online.WaitForAsync();
        Assert.Equal(2, await page.Locator("[data-agent]").CountAsync());
        var last = SeededFleet<SqliteTestDatabase>.Samples - 1;
        Assert.Equal(SeededFleet<SqliteTestDatabase>.HostCpu(last).ToString("0.0", CultureInfo.InvariantCulture) + " %",
            await online.Locator("[data-figure='cpu']").TextContentAsync());
        Assert.Equal(SeededFleet<SqliteTestDatabase>.HostMemoryPercent(last).ToString("0.0", CultureInfo.InvariantCulture) + " %",
            await online.Locator("[data-figure='memory']").TextContentAsync());
        Assert.Equal("2 running · 1 not running", await online.Locator("[data-figure='containers']").TextContentAsync());
        Assert.Contains("offline", await page.Locator($"[data-agent='{SeededFleet<SqliteTestDatabase>.Offline}']").GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "fleet.png"), FullPage = true });

        // Host: both charts drawn with data points, the container table filterable.
        await online.ClickAsync();
        var cpuLine = page.Locator("[data-chart='Host CPU'] path[data-series='cpuAvg']");
        await cpuLine.WaitForAsync();
        Assert.True(int.Parse((await cpuLine.GetAttributeAsync("data-points"))!, CultureInfo.InvariantCulture) > 0);
        Assert.NotEmpty((await cpuLine.GetAttributeAsync("d"))!);
        Assert.True(int.Parse((await page.Locator("[data-chart='Host memory'] path[data-series='memoryPercentAvg']").GetAttributeAsync("data-points"))!, CultureInfo.InvariantCulture) > 0);
        Assert.Equal(3, await page.Locator("tr[data-container]").CountAsync());
        Assert.Equal("unhealthy", await page.Locator("tr[data-container='web'] [data-health]").TextContentAsync());
        Assert.Equal("2", await page.Locator("tr[data-container='db'] [data-restarts]").TextContentAsync());

        // Events: exit codes and OOM kills stand out, and mark the host's charts.
        var died = page.Locator(".events li[data-event='die'][data-container='old']");
        Assert.Contains("exit code 3", await died.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("bad", await died.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        Assert.Contains("bad", await page.Locator(".events li[data-event='oom']").GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        Assert.Equal(3, await page.Locator(".events li").CountAsync());
        Assert.True(await page.Locator("[data-chart='Host CPU'] line.marker.bad").CountAsync() >= 2);

        // Disk usage per file system, the nearly full one flagged by its meter.
        Assert.Contains("93", await page.Locator("tr[data-mount='/']").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("93", await page.Locator("tr[data-mount='/'] meter").GetAttributeAsync("value"));
        await page.FillAsync("input[type=search]", "we");
        Assert.Equal(1, await page.Locator("tr[data-container]").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "host.png"), FullPage = true });

        // Container: charts and the status timeline.
        await page.ClickAsync("tr[data-container='web'] a");
        var memoryLine = page.Locator("[data-chart='Container memory'] path[data-series='memoryAvg']");
        await memoryLine.WaitForAsync();
        Assert.True(int.Parse((await memoryLine.GetAttributeAsync("data-points"))!, CultureInfo.InvariantCulture) > 0);
        Assert.True(await page.Locator(".timeline span.up").CountAsync() > 0);
        foreach (var (chart, series) in new[] { ("NET I/O", "netRx"), ("NET I/O", "netTx"), ("BLOCK I/O", "blockWrite"), ("PIDS", "pidsAvg") })
        {
            var line = page.Locator($"[data-chart='{chart}'] path[data-series='{series}']");
            Assert.True(int.Parse((await line.GetAttributeAsync("data-points"))!, CultureInfo.InvariantCulture) > 0, chart + " " + series);
        }

        // web received 1000 bytes per 10 s sample: a flat 100 B/s, whichever samples fell into which bucket.
        var received = (await page.Locator("[data-chart='NET I/O'] path[data-series='netRx']").GetAttributeAsync("d"))!;
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(received, @"[ML][\d.]+,([\d.]+)").Select(m => m.Groups[1].Value).Distinct());

        // web's OOM kill and health turn mark its charts and head its event list.
        Assert.Equal(1, await page.Locator("[data-chart='Container CPU'] line.marker[data-event='oom']").CountAsync());
        Assert.Equal(2, await page.Locator(".events li").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "container.png"), FullPage = true });

        // A phone-width screen: nothing wider than the screen.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(fleet.Server.BaseAddress.ToString());
        await online.WaitForAsync();
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "fleet-phone.png"), FullPage = true });

        // The host page too: its tables scroll inside their frame, event lines wrap.
        await online.ClickAsync();
        await page.Locator(".events li").First.WaitForAsync();
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "host-phone.png"), FullPage = true });

        Assert.Empty(errors);
    }
}
