using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Auth;

/// <summary>
/// Two ss-server replicas on one database (through the Galera cluster's HAProxy writer), each with a key folder of its
/// own: a browser signed in through one reads and acts through the other (cookie and CSRF token both accepted), and
/// signing out through the other ends the session on both. The cookie keys live in the database, not on each disk.
/// </summary>
public sealed class ReplicaSessionTests
{
    private static Dictionary<string, string?> OwnKeys() => new()
    {
        ["Auth:KeysPath"] = Directory.CreateTempSubdirectory("ss-keys-").FullName,
    };

    private static async Task<JsonNode> SessionAsync(HttpClient browser, RunningServer server) =>
        (await browser.GetFromJsonAsync<JsonObject>(new Uri(server.BaseAddress, "/api/v1/auth/session")))!["data"]!;

    [Fact]
    public async Task Keys_an_earlier_version_kept_on_disk_are_taken_into_the_database()
    {
        var folder = Directory.CreateTempSubdirectory("ss-old-keys-").FullName;
        var old = DataProtectionProvider.Create(new DirectoryInfo(folder), b => b.SetApplicationName("StackScope"));
        var sealedText = old.CreateProtector("test").Protect("kept across the upgrade"); // makes and writes its key
        var file = Assert.Single(Directory.GetFiles(folder, "key-*.xml"));

        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Auth:KeysPath"] = folder });
        using var browser = await AdminSession.SignInAsync(server.BaseAddress, await AddUserAsync(server), "upgrade password");
        var names = (await database.QueryAsync("SELECT name FROM protection_key")).Select(r => (string)r["name"]!).ToList();
        Assert.Contains(Path.GetFileNameWithoutExtension(file), names);
        var provider = (IDataProtectionProvider)server.Services.GetService(typeof(IDataProtectionProvider))!;
        Assert.Equal("kept across the upgrade", provider.CreateProtector("test").Unprotect(sealedText));
    }

    private static async Task<string> AddUserAsync(RunningServer server)
    {
        Assert.True(await server.AddUserAsync("upgrade-user", "upgrade password"));
        return "upgrade-user";
    }

    [Fact]
    public async Task A_session_from_one_replica_works_on_the_other_and_ends_on_both()
    {
        await using var database = new MariaDbTestDatabase(GaleraCluster.Writer);
        await using var first = await RunningServer.StartAsync(database, OwnKeys());
        await using var second = await RunningServer.StartAsync(database.Through(GaleraCluster.Writer), OwnKeys());
        Assert.True(await first.AddAdminAsync("replica-admin", "replica admin password"));

        var cookies = new CookieContainer();
        using var browser = await AdminSession.SignInAsync(first.BaseAddress, "replica-admin", "replica admin password", cookies);
        var there = await SessionAsync(browser, second);
        Assert.True((bool)there["signedIn"]!, there.ToJsonString());
        Assert.Equal("replica-admin", (string?)there["username"]);

        // An admin's change through the other replica: its CSRF token, issued by the first, is good there too.
        using var change = await browser.PutAsync(new Uri(second.BaseAddress, "/api/v1/alerts/rules/from-replica"),
            AdminSession.Json("{\"name\": \"from-replica\", \"kind\": \"absence\"}"));
        Assert.True(change.StatusCode == HttpStatusCode.OK, await change.Content.ReadAsStringAsync());

        // Signed out through the other replica: the cookie, replayed as it was, is dead on both.
        var kept = cookies.GetCookieHeader(first.BaseAddress);
        using var signOut = await browser.PostAsync(new Uri(second.BaseAddress, "/api/v1/auth/sign-out"), AdminSession.Json("{}"));
        Assert.True(signOut.StatusCode == HttpStatusCode.OK, await signOut.Content.ReadAsStringAsync());
        await Task.Delay(TimeSpan.FromSeconds(6)); // Auth:SessionCheckSeconds (5): how long a replica may trust its last check
        using var replay = new HttpClient();
        replay.DefaultRequestHeaders.Add("Cookie", kept);
        Assert.False((bool)(await SessionAsync(replay, first))["signedIn"]!);
        Assert.False((bool)(await SessionAsync(replay, second))["signedIn"]!);
    }

    [Fact]
    public async Task The_sign_in_budget_holds_across_both_replicas()
    {
        var settings = new Dictionary<string, string?> { ["Auth:MaxFailures"] = "4", ["Auth:FailureWindowSeconds"] = "60" };
        await using var database = new MariaDbTestDatabase(GaleraCluster.Writer);
        await using var first = await RunningServer.StartAsync(database, settings);
        await using var second = await RunningServer.StartAsync(database.Through(GaleraCluster.Writer), settings);
        Assert.True(await first.AddUserAsync("guessed", "the right password"));
        var replicas = new[] { first, second };

        async Task<HttpStatusCode> SignInAsync(RunningServer server, string password)
        {
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
            var csrf = await AuthSuite<MariaDbTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false);
            using var answer = await AuthSuite<MariaDbTestDatabase>.SignInAsync(browser, "guessed", password, csrf);
            return answer.StatusCode;
        }

        // A right password gives its place back, on whichever replica it lands.
        Assert.Equal(HttpStatusCode.OK, await SignInAsync(second, "the right password"));
        // Four guesses spread over the two replicas spend the one budget of four.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(replicas[i % 2], "guess " + i));
        }

        foreach (var replica in replicas)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(replica, "guess again"));
            Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(replica, "the right password"));
        }
    }
}
