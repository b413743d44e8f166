using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The agent against a real Podman (its Docker-compatible API service, rootful, started by scripts/podman.sh), alone
/// and beside the real Docker engine: figures and statuses against <c>podman stats --no-stream</c>, exits and OOM kills
/// as events, both engines in one report stored and shown with their engine, and Podman's socket going away mid-run.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class PodmanTests(TestContainers containers) : IAsyncLifetime
{
    private readonly string _prefix = containers.Prefix + "pm-";

    private static string[] PodmanOnly => ["--Agent:Engines:0:Type", "podman", "--Agent:Engines:0:Host", PodmanEngine.Host];

    private static string[] Both => ["--Agent:Engines:0:Type", "docker", "--Agent:Engines:0:Host", DockerEngine.Host,
        "--Agent:Engines:1:Type", "podman", "--Agent:Engines:1:Host", PodmanEngine.Host];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (!File.Exists(PodmanEngine.SocketPath))
        {
            await PodmanEngine.StartServiceAsync();
        }

        var ids = (await PodmanEngine.RunAsync("ps", "-aq", "--filter", "name=" + _prefix)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0)
        {
            await PodmanEngine.RunAsync(["rm", "-f", "-t", "0", .. ids]);
        }
    }

    /// <summary>Both ways the agent reads a Podman container's counters: its cgroup files, and Podman's compatible stats API.</summary>
    [Theory]
    [InlineData("/sys/fs/cgroup", "the containers' cgroup files")]
    [InlineData("", "its API")]
    public async Task Agent_reports_what_podman_stats_shows(string cgroupRoot, string expectedSource)
    {
        var (idle, limited, hog, exited, paused, created) = (_prefix + "idle", _prefix + "limited", _prefix + "hog", _prefix + "exited", _prefix + "paused", _prefix + "created");
        await Podman("run", "-d", "--network", "none", "--name", idle, PodmanEngine.Image, "sleep", "3600");
        await Podman("run", "-d", "--network", "none", "--cpus", "0.5", "--name", limited, PodmanEngine.Image, "sh", "-c", "while :; do :; done");
        // ~40 MiB in /dev/shm: charged to the container's memory, not reclaimable file cache (Podman 4.3's stats count the
        // page cache too, Docker's formula does not: anonymous memory is where both agree).
        await Podman("run", "-d", "--network", "none", "--memory", "128m", "--name", hog, PodmanEngine.Image,
            "sh", "-c", "dd if=/dev/zero of=/dev/shm/hog bs=1M count=40 2>/dev/null; sleep 3600");
        await Podman("run", "--network", "none", "--name", exited, PodmanEngine.Image, "true");
        await Podman("run", "-d", "--network", "none", "--name", paused, PodmanEngine.Image, "sleep", "3600");
        await Podman("pause", paused);
        await Podman("create", "--network", "none", "--name", created, PodmanEngine.Image, "true");
        await Task.Delay(TimeSpan.FromSeconds(4));

        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("podman");
        // Three paired rounds, the agent and podman stats over the same second; CPU is judged by the median difference.
        var rounds = new List<(CliResult Run, Dictionary<string, PodmanStatsRow> Stats)>();
        for (var round = 0; round < 3; round++)
        {
            var agentRun = AgentBinary.OnceAsync(server, agentId, [.. PodmanOnly, "--Agent:CgroupRoot", cgroupRoot]);
            var statsRun = Podman("stats", "--no-stream", "--format", PodmanStatsRow.Format);
            rounds.Add((await agentRun, PodmanStatsRow.Parse(await statsRun)));
        }

        var (run, stats) = rounds[^1];
        Assert.Contains("Podman engine: reading container CPU and memory from " + expectedSource, run.Error, StringComparison.Ordinal);
        var agent = AgentOutput.Parse(run.Output);
        Assert.Equal("200", agent.Status);
        Assert.Equal("podman", (string?)agent.Host["engine_type"]);

        // Statuses: Podman's words in the documented set, exactly.
        var expected = new Dictionary<string, string> { [idle] = "running", [limited] = "running", [hog] = "running", [exited] = "exited", [paused] = "paused", [created] = "created" };
        foreach (var (name, status) in expected)
        {
            Assert.Equal(status, (string?)agent.Container(name)["status"]);
            Assert.Equal("podman", (string?)agent.Container(name)["engine_type"]);
        }

        // Memory within 1 MiB of podman stats; CPU of the capped loop within the noise of two one-second windows.
        foreach (var name in new[] { idle, limited, hog, paused })
        {
            var mine = (double)agent.Container(name)["con_memory_usage"]!;
            Assert.True(Math.Abs(mine - stats[name].MemoryMiB) <= 1, $"{name}: agent {mine} MiB, podman stats {stats[name].MemoryMiB:0.00} MiB");
        }

        Assert.InRange((double)agent.Container(hog)["con_memory_usage"]!, 38, 48);
        var cpus = rounds.Select(r => (Agent: (double)AgentOutput.Parse(r.Run.Output).Container(limited)["con_cpu_percent"]!, Podman: r.Stats[limited].CpuPercent)).ToList();
        var differences = cpus.Select(c => Math.Abs(c.Agent - c.Podman)).Order().ToList();
        Assert.True(differences[1] <= 10, $"limited: agent vs podman stats per round {string.Join("; ", cpus)}");
        Assert.InRange(cpus.Select(c => c.Agent).Order().ElementAt(1), 35, 60);
        Assert.Equal(0, (double)agent.Container(paused)["con_cpu_percent"]!);

        // Stored as reported.
        var rows = await database.QueryAsync("SELECT container_name, engine_type, status FROM container WHERE agent_id = @a", ("@a", agentId));
        Assert.Equal(expected.Count, rows.Select(r => (string)r["container_name"]!).Distinct().Count(n => n.StartsWith(_prefix, StringComparison.Ordinal)));
        Assert.All(rows, r => Assert.Equal("podman", r["engine_type"]));
    }

    [Fact]
    public async Task An_exit_with_a_code_and_an_oom_kill_on_podman_are_stored_as_events()
    {
        var (exit7, oom) = (_prefix + "exit7", _prefix + "oom");
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("podman-ev");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-podman-").FullName;
        var agent = RunningAgent.Start([.. PodmanOnly, "--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId,
            "--Agent:NodeName", agentId, "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)]);
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("reporting to", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await Podman("run", "-d", "--network", "none", "--name", exit7, PodmanEngine.Image, "sh", "-c", "sleep 1; exit 7");
            // A child of the container's shell is killed by the OOM killer; the container lives on. Podman's stream has no
            // "oom" event: the agent sees the cgroup's oom_kill counter rise.
            await Podman("run", "-d", "--network", "none", "--memory", "16m", "--memory-swap", "16m", "--name", oom, PodmanEngine.Image,
                "sh", "-c", "sleep 2; head -c 100000000 /dev/zero | sort > /dev/null; sleep 3600");

            await Delivered.WaitUntilAsync(async () => (await EventsAsync(database, agentId)).Any(e => e.Container == exit7 && e.Action == "die")
                && (await EventsAsync(database, agentId)).Any(e => e.Container == oom && e.Action == "oom"), "the die and oom events", 60);
            var events = await EventsAsync(database, agentId);
            var died = Assert.Single(events, e => e.Container == exit7 && e.Action == "die");
            Assert.Equal(7, died.ExitCode);
            Assert.Equal("engine", died.Source); // from Podman's own stream
            Assert.Single(events, e => e.Container == exit7 && e.Action == "start");
            Assert.Single(events, e => e.Container == oom && e.Action == "oom");
            Assert.DoesNotContain(events, e => e.Container == oom && e.Action == "die");
        }
        finally
        {
            await agent.DisposeAsync();
            Directory.Delete(spool, recursive: true);
        }
    }

    [Fact]
    public async Task Docker_and_podman_side_by_side_in_one_report_stored_and_shown_with_their_engine_and_podman_away_costs_only_its_containers()
    {
        var web = _prefix + "web";
        var docked = _prefix + "docked";
        await Podman("run", "-d", "--network", "none", "--name", web, PodmanEngine.Image, "sleep", "3600");
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", web, DockerEngine.Image, "sleep", "3600");
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", docked, DockerEngine.Image, "sleep", "3600");
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("both");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-both-").FullName;
        var agent = RunningAgent.Start([.. Both, "--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId,
            "--Agent:NodeName", agentId, "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)]);
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("reporting to", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var containersApi = $"/api/v1/agents/{agentId}/containers?size=200";
            await Delivered.WaitUntilAsync(async () => (await ContainersAsync(server, containersApi)).ContainsKey(web + "@podman"), "both engines' containers", 60);

            // One report per sample, every container with its own engine; the name both engines use told apart.
            var latest = await ContainersAsync(server, containersApi);
            Assert.Equal("docker", latest[web]);
            Assert.Equal("docker", latest[docked]);
            Assert.Equal("podman", latest[web + "@podman"]);
            var host = (await database.QueryAsync("SELECT engine_type, engine_types, unread_engines FROM server WHERE agent_id = @a ORDER BY ser_get_datetime DESC LIMIT 1",
                ("@a", agentId)))[0];
            Assert.Equal(("docker", "docker,podman", (string?)null), ((string?)host["engine_type"], (string?)host["engine_types"], (string?)host["unread_engines"]));

            // The dashboard's container table names the engine of each.
            using (var playwright = await Playwright.CreateAsync())
            {
                await using var browser = await Browser.LaunchAsync(playwright);
                Assert.True(await server.AddUserAsync("engines", "dashboard password"));
                var page = await browser.NewPageAsync();
                await page.GotoAsync(server.BaseAddress + $"#/agent/{agentId}");
                await Browser.SignInAsync(page, "engines", "dashboard password");
                var podmanRow = page.Locator($"tr[data-container='{web}@podman'] [data-engine]");
                await podmanRow.WaitForAsync();
                Assert.Equal("podman", await podmanRow.TextContentAsync());
                Assert.Equal("docker", await page.Locator($"tr[data-container='{web}'] [data-engine]").TextContentAsync());
            }

            // Podman's service stops and its socket is gone: Docker's containers are still reported every interval,
            // Podman's are missing and the report says why; one warning in the agent's log.
            await PodmanEngine.StopServiceAsync();
            var away = DateTime.UtcNow;
            await Delivered.WaitUntilAsync(async () => (await UnreadSinceAsync(database, agentId, away)) >= 3, "three reports without Podman", 60);
            var rowsAway = await database.QueryAsync(
                "SELECT c.container_name, c.engine_type FROM container c JOIN server s ON s.agent_id = c.agent_id AND s.ser_get_datetime = c.con_get_datetime " +
                "WHERE s.agent_id = @a AND s.unread_engines = 'podman'", ("@a", agentId));
            Assert.Contains(rowsAway, r => (string?)r["container_name"] == docked);
            Assert.DoesNotContain(rowsAway, r => (string?)r["engine_type"] == "podman");
            // One warning from sampling for the whole outage (and one from the event stream), not one per report.
            var warnings = agent.Lines.Where(l => l.Contains("warn:", StringComparison.Ordinal) && l.Contains("Podman engine", StringComparison.Ordinal)).ToList();
            Assert.Single(warnings, l => l.Contains("CollectorGuard", StringComparison.Ordinal));
            Assert.True(warnings.Count <= 2, string.Join('\n', warnings));

            // Back: Podman's containers return.
            await PodmanEngine.StartServiceAsync();
            var back = DateTime.UtcNow.AddSeconds(1);
            await Delivered.WaitUntilAsync(async () => (await database.QueryAsync(
                "SELECT 1 FROM container WHERE agent_id = @a AND engine_type = 'podman' AND con_get_datetime >= @t", ("@a", agentId),
                ("@t", back.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)))).Count > 0, "Podman's containers again", 60);
        }
        finally
        {
            await agent.DisposeAsync();
            await DockerEngine.RunAsync("rm", "-f", web, docked);
            Directory.Delete(spool, recursive: true);
        }
    }

    private static async Task<long> UnreadSinceAsync(TestDatabase database, string agentId, DateTime since) =>
        (await database.QueryAsync("SELECT COUNT(*) AS n FROM server WHERE agent_id = @a AND unread_engines = 'podman' AND ser_get_datetime > @t",
            ("@a", agentId), ("@t", since.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))))[0]["n"] is { } n ? Convert.ToInt64(n, CultureInfo.InvariantCulture) : 0;

    // Empty until the agent's first report is stored (the API answers 404 for an agent it does not know).
    private static async Task<Dictionary<string, string>> ContainersAsync(RunningServer server, string path)
    {
        using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
        return !response.IsSuccessStatusCode ? [] : (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray()
            .ToDictionary(c => (string)c!["containerName"]!, c => (string)c!["engineType"]!);
    }

    private static async Task<List<(string Container, string Action, int? ExitCode, string Source)>> EventsAsync(TestDatabase database, string agentId) =>
        (await database.QueryAsync("SELECT container_name, action, exit_code, source FROM container_event WHERE agent_id = @a ORDER BY id", ("@a", agentId)))
            .Select(r => ((string)r["container_name"]!, (string)r["action"]!, r["exit_code"] is null ? (int?)null : Convert.ToInt32(r["exit_code"], CultureInfo.InvariantCulture),
                (string)r["source"]!)).ToList();

    private static Task<string> Podman(params string[] args) => PodmanEngine.RunAsync(args);
}
