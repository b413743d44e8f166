using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Server.Tests.Infrastructure;

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

    private sealed class RunScript : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private RunScript(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_lines) { _lines.Add(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_lines) { _lines.Add(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return _lines.ToList();
                }
            }
        }

        public static RunScript Start(string data, string url)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(MariaDb.RepositoryRoot, "scripts", "run.sh"), "--Urls", url })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["SS_RUN_DATA"] = data;
            start.Environment["DOCKER_HOST"] = DockerEngine.Host;
            return new RunScript(Process.Start(start)!);
        }

        public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                if (Lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }

                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("scripts/run.sh did not print the expected line:\n" + string.Join('\n', Lines.TakeLast(40)));
                }

                await Task.Delay(200);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // What Ctrl-C does: the script's trap stops the server and the agent.
                await Cli.RunAsync("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await _process.WaitForExitAsync(timeout.Token);
            }

            _process.Dispose();
        }
    }
}
