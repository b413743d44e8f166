using System.Net;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>What the server leaves on disk and in its log about credentials.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivacyTests
{
    [Fact]
    public async Task The_SQLite_database_and_its_wal_and_shm_files_are_readable_by_the_owner_only()
    {
        await using var database = new SqliteTestDatabase();
        var file = database.ConnectionString["Data Source=".Length..];
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("mode");
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(server.Client, Reports.Seed(agent))).StatusCode);

        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            Assert.True(File.Exists(path), path);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
    }

    [Fact]
    public async Task A_failed_sign_in_logs_a_hash_of_the_typed_name_never_the_name()
    {
        await using var database = new SqliteTestDatabase();
        await database.InitializeAsync();
        await using var server = await ServerProcess.StartAsync(Ports.Free(), ServerProcess.StorageArgs(database));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
        var csrf = await AuthSuite<SqliteTestDatabase>.SessionCsrfAsync(browser, expectSignedIn: false);
        const string typed = "Tr0ub4dor&3-in-the-name-box";

        Assert.Equal(HttpStatusCode.Unauthorized, (await AuthSuite<SqliteTestDatabase>.SignInAsync(browser, typed, "x", csrf)).StatusCode);
        await Task.Delay(500);

        Assert.DoesNotContain(server.Lines, l => l.Contains("Tr0ub4dor", StringComparison.Ordinal));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(typed)))[..12];
        Assert.Contains(server.Lines, l => l.Contains($"failed sign-in for name#{hash} ({typed.Length} characters)", StringComparison.Ordinal));
    }
}
