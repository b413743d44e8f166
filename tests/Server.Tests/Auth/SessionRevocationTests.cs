using System.Net;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>
/// A session ends on every server process sharing the database: at sign-out (also for a copy of the cookie), when
/// the user is removed, and when their password is changed, all through the real ss-server commands.
/// </summary>
public sealed class SessionRevocationTests
{
    private static readonly Dictionary<string, string?> QuickChecks = new() { ["Auth:SessionCheckSeconds"] = "1" };

    [Fact]
    public async Task Sign_out_ends_the_session_for_a_copied_cookie_on_every_server()
    {
        await using var database = new SqliteTestDatabase();
        await using var one = await RunningServer.StartAsync(database, QuickChecks);
        await using var two = await RunningServer.StartAsync(database, QuickChecks);
        Assert.True(await one.AddUserAsync("leaver", "a long enough password"));
        var (browser, cookie) = await SignInAsync(one, "leaver", "a long enough password");
        using (browser)
        {
            Assert.Equal(HttpStatusCode.OK, await ReadWithCookieAsync(two, cookie)); // the same session on the other server

            var csrf = await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: true);
            Assert.Equal(HttpStatusCode.OK, (await AuthSuite<SqliteTestDatabase>.PostAsync(browser, "/api/v1/auth/sign-out", "{}", csrf)).StatusCode);
        }

        await EventuallyRefusedAsync(one, cookie);
        await EventuallyRefusedAsync(two, cookie);
    }

    [Fact]
    public async Task Removing_the_user_or_changing_the_password_ends_their_sessions()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, QuickChecks);
        var storage = ServerProcess.StorageArgs(database);
        Assert.True(await server.AddUserAsync("changer", "the first password"));
        Assert.True(await server.AddUserAsync("removed", "the first password"));
        var (a, changerCookie) = await SignInAsync(server, "changer", "the first password");
        var (b, removedCookie) = await SignInAsync(server, "removed", "the first password");
        a.Dispose();
        b.Dispose();

        var passwd = await ServerProcess.RunCommandAsync(["user", "passwd", "changer", "--password-stdin", .. storage], "the second password");
        Assert.True(passwd.ExitCode == 0, passwd.Error);
        Assert.Equal(0, (await ServerProcess.RunCommandAsync(["user", "remove", "removed", .. storage])).ExitCode);

        await EventuallyRefusedAsync(server, changerCookie);
        await EventuallyRefusedAsync(server, removedCookie);
        var (again, _) = await SignInAsync(server, "changer", "the second password");
        again.Dispose();
        Assert.Equal(1, (await ServerProcess.RunCommandAsync(["user", "passwd", "nobody", "--password-stdin", .. storage], "some long password")).ExitCode);
    }

    private static async Task<(HttpClient Browser, string Cookie)> SignInAsync(RunningServer server, string user, string password)
    {
        var cookies = new CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };
        var csrf = await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false);
        Assert.Equal(HttpStatusCode.OK, (await AuthSuite<SqliteTestDatabase>.SignInAsync(browser, user, password, csrf)).StatusCode);
        var session = cookies.GetCookies(server.BaseAddress).Single(c => c.Name == "ss_session");
        return (browser, $"{session.Name}={session.Value}");
    }

    private static async Task<HttpStatusCode> ReadWithCookieAsync(RunningServer server, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agents");
        request.Headers.Add("Cookie", cookie);
        return (await server.RawClient.SendAsync(request)).StatusCode;
    }

    private static async Task EventuallyRefusedAsync(RunningServer server, string cookie)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await ReadWithCookieAsync(server, cookie) != HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow < deadline, "the session still works 10 s after it was ended");
            await Task.Delay(200);
        }
    }
}
