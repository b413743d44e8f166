using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The README's run command (scripts/run.sh) as a newcomer runs it: the first run prints the dashboard's first
/// sign-in and the local agent reports with the token it was given; a second run reuses both.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed partial class QuickStartTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_run_command_provisions_the_agent_token_and_the_first_sign_in_and_a_second_run_reuses_them()
    {
        var data = Directory.CreateTempSubdirectory("ss-quickstart-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        try
        {
            string password;
            await using (var first = RunScript.Start(data, url))
            {
                var line = await first.WaitForLineAsync(l => l.Contains("first sign-in", StringComparison.Ordinal), TimeSpan.FromMinutes(4));
                password = FirstSignIn().Match(line).Groups[1].Value;
                Assert.True(password.Length >= 12, line);
                Assert.Equal("-rw-------", Permissions(Path.Combine(data, "admin.password")));
                Assert.Equal("-rw-------", Permissions(Path.Combine(data, "agent.token")));
                await AssertAgentReportsAsync(url, password);
                // A first start is clean: nothing read the database before its tables existed (the cookie keys did).
                Assert.DoesNotContain(first.Lines, l => l.Contains("fail: ", StringComparison.Ordinal) && !l.Contains("StackScope.Agent", StringComparison.Ordinal));
            }

            var token = await File.ReadAllTextAsync(Path.Combine(data, "agent.token"));
            await using (var second = RunScript.Start(data, url))
            {
                var line = await second.WaitForLineAsync(l => l.Contains("Dashboard sign-in", StringComparison.Ordinal), TimeSpan.FromMinutes(4));
                Assert.Contains("admin.password", line, StringComparison.Ordinal);
                Assert.DoesNotContain(second.Lines, l => l.Contains(password, StringComparison.Ordinal)); // printed once only
                await AssertAgentReportsAsync(url, password);
            }

            Assert.Equal(token, await File.ReadAllTextAsync(Path.Combine(data, "agent.token")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task AssertAgentReportsAsync(string url, string password)
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url) };
        await Delivered.WaitUntilAsync(async () =>
        {
            try
            {
                return (await browser.GetAsync("/readyz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the server to start", seconds: 120);
        var session = JsonDocument.Parse(await browser.GetStringAsync("/api/v1/auth/session"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/sign-in")
        {
            Content = Reports.Json(JsonSerializer.Serialize(new { username = "admin", password })),
            Headers = { { "X-CSRF-TOKEN", session.RootElement.GetProperty("data").GetProperty("csrfToken").GetString() } },
        };
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(request)).StatusCode);
        var agentId = Regex.Replace(Environment.MachineName, "[^A-Za-z0-9._-]", "-");
        await Delivered.WaitUntilAsync(async () => (await browser.GetStringAsync("/api/v1/agents")).Contains($"\"agentId\":\"{agentId}\"", StringComparison.Ordinal),
            "the local agent's first report", seconds: 60);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string Permissions(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode)0x1FF) == (UnixFileMode.UserRead | UnixFileMode.UserWrite) ? "-rw-------" : File.GetUnixFileMode(path).ToString();

    [GeneratedRegex("password '([^']+)'")]
    private static partial Regex FirstSignIn();

    /// <summary>scripts/run.sh as its own process; disposed with SIGINT, what Ctrl-C does (its trap stops the server and agent).</summary>
    private sealed class RunScript(CapturedProcess process) : IAsyncDisposable
    {
        public IReadOnlyList<string> Lines => process.Lines;

        public static RunScript Start(string data, string url)
        {
            var start = CapturedProcess.StartInfo("bash", [Path.Combine(MariaDb.RepositoryRoot, "scripts", "run.sh"), "--Urls", url]);
            start.Environment["SS_RUN_DATA"] = data;
            start.Environment["DOCKER_HOST"] = DockerEngine.Host;
            return new RunScript(new CapturedProcess(start));
        }

        public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) => process.WaitForLineAsync(match, timeout);

        public async ValueTask DisposeAsync()
        {
            await process.SignalAndWaitAsync("INT", TimeSpan.FromSeconds(60));
            process.Dispose();
        }
    }
}
