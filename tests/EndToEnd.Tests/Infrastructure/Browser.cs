using Microsoft.Playwright;

namespace StackScope.EndToEnd.Tests.Infrastructure;

public static class Browser
{
    /// <summary>Debian's Chromium (/usr/bin/chromium); Playwright never downloads a browser here.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    /// <summary>Fills the dashboard's sign-in form and waits until it is gone.</summary>
    public static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.Locator("form.sign-in").WaitForAsync();
        await page.FillAsync("input[name=username]", username);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("form.sign-in button[type=submit]");
    }
}
