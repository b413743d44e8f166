using System.Globalization;
using System.Text.RegularExpressions;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>Faults on the agent's side, each with the real agent process: a full spool, a restarted dockerd, a fast clock.</summary>
[Collection(DockerTestGroup.Name)]
public sealed partial class AgentFaultTests(TestContainers containers)
{
    [Fact]
    public async Task A_full_spool_drops_the_oldest_logs_and_counts_each_drop_and_the_agent_keeps_running()
    {
        Assert.NotNull(containers); // six containers on the engine make each report a couple of KB
        const int maxBytes = 16 * 1024;
        await using var database = new SqliteTestDatabase();
        var port = Ports.Free(); // nothing listens here until the end
        var agentId = Reports.NewAgentId("spoolfull");
        var token = await TokenIssuer.AgentTokenAsync(database, agentId);
        var spool = Directory.CreateTempSubdirectory("ss-full-spool-").FullName;
        await using var agent = RunningAgent.Start("--Agent:ServerUrl", $"http://127.0.0.1:{port}", "--Agent:AgentId", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:SpoolMaxBytes", maxBytes.ToString(CultureInfo.InvariantCulture),
            "--Agent:Token", token);
        try
        {
            await Delivered.WaitUntilAsync(() => Task.FromResult(Drops(agent).Count >= 3), "three reports dropped from the full spool");
            Assert.False(agent.HasExited);
            Assert.True(SpoolBytes(spool) <= maxBytes, $"spool holds {SpoolBytes(spool)} bytes, bound {maxBytes}");

            await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Urls"] = $"http://127.0.0.1:{port}" });
            await Delivered.WaitUntilAsync(() => Task.FromResult(Delivered.SpoolEmpty(spool)), "the spool to drain");
            Assert.Equal(0, await agent.StopAsync());

            var drops = Drops(agent);
            Assert.Equal(Enumerable.Range(1, drops.Count), drops.Select(d => d.Total)); // each drop counted, in order
            var sampled = agent.Sampled.Select(s => s.Time).ToList();
            var stored = await Delivered.StoredTimesAsync(database, agentId);
            // A report sampled after the spool was seen empty and before the stop waits there for the next start.
            var spooled = Delivered.SpooledTimes(spool);
            Assert.True(spooled.Count <= 1, $"{spooled.Count} reports still spooled at the stop");
            var missing = sampled.Except(stored).Except(spooled).ToList();
            // Exactly the dropped reports are missing, and they are the oldest ones (but for one a retry may have had
            // on the wire at the moment of a drop: that one is kept and sent, the next oldest goes instead).
            Assert.Equal(drops.Select(d => d.Time).Order(), missing.Order());
            Assert.Subset(sampled.Take(missing.Count + 1).ToHashSet(), missing.ToHashSet()); // (xUnit: the second set within the first)
            // Every report not dropped is stored or waits in the spool; one may be both: delivered and stored, its file not
            // yet removed when the stop came (it is sent again after the next start, and the server's ingest is idempotent).
            Assert.Equal(sampled.Count - drops.Count, stored.Union(spooled).Count());
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    [Fact]
    public async Task The_agent_carries_on_through_a_dockerd_restart_and_the_containers_reappear()
    {
        // A dockerd of this test's own, so restarting it disturbs no other test.
        var folder = Path.Combine(MariaDb.RepositoryRoot, ".tmp", "docker-restart-" + Guid.NewGuid().ToString("N")[..6]);
        var script = Path.Combine(MariaDb.RepositoryRoot, "scripts", "dockerd.sh");
        var host = (await Cli.CheckedAsync("bash", [script, "start", folder], null, 120)).Trim();
        var engine = new Dictionary<string, string> { ["DOCKER_HOST"] = host };
        var up = "sst-restart-up";
        var done = "sst-restart-done";
        try
        {
            await Cli.CheckedAsync("bash", [Path.Combine(MariaDb.RepositoryRoot, "scripts", "test-image.sh")], engine, 120);
            await Cli.CheckedAsync("docker", ["run", "-d", "--network", "none", "--restart", "always", "--stop-timeout", "1", "--name", up, DockerEngine.Image, "sleep", "3600"], engine, 60);
            await Cli.CheckedAsync("docker", ["run", "--network", "none", "--name", done, DockerEngine.Image, "true"], engine, 60);

            await using var database = new SqliteTestDatabase();
            await using var server = await RunningServer.StartAsync(database);
            var agentId = Reports.NewAgentId("dockerd");
            await using var agent = RunningAgent.StartWith(null, ["--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId,
                "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", Path.Combine(folder, "spool"), "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)], host);

            async Task<Dictionary<string, string>> LatestContainersAsync(DateTime after) =>
                (await database.QueryAsync(
                    "SELECT container_name, status FROM container WHERE agent_id = @a AND con_get_datetime = (SELECT MAX(ser_get_datetime) FROM server WHERE agent_id = @a) AND con_get_datetime > @t",
                    ("@a", agentId), ("@t", after.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))))
                .ToDictionary(r => (string)r["container_name"]!, r => (string)r["status"]!);

            await Delivered.WaitUntilAsync(async () => (await LatestContainersAsync(DateTime.MinValue)).Count == 2, "both containers reported");

            await Cli.CheckedAsync("bash", [script, "stop", folder], null, 120);
            var stoppedAt = DateTime.UtcNow;
            await Delivered.WaitUntilAsync(() => Task.FromResult(agent.Lines.Any(l => l.Contains("Docker engine unreachable", StringComparison.Ordinal))),
                "the agent to notice the engine is gone");
            await Task.Delay(TimeSpan.FromSeconds(2));
            var hostOnly = (await database.QueryAsync(
                "SELECT COUNT(*) AS n FROM server s WHERE agent_id = @a AND ser_get_datetime > @t AND NOT EXISTS (SELECT 1 FROM container c WHERE c.agent_id = s.agent_id AND c.con_get_datetime = s.ser_get_datetime)",
                ("@a", agentId), ("@t", stoppedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))))[0]["n"];
            Assert.True(Convert.ToInt64(hostOnly, CultureInfo.InvariantCulture) >= 1, "host-only reports kept coming while the engine was down");

            var restartedAt = DateTime.UtcNow;
            await Cli.CheckedAsync("bash", [script, "start", folder], null, 120);
            await Delivered.WaitUntilAsync(async () =>
            {
                var latest = await LatestContainersAsync(restartedAt);
                return latest.GetValueOrDefault(up) == "running" && latest.GetValueOrDefault(done) == "exited";
            }, "both containers to reappear after the restart");
            Assert.False(agent.HasExited);
            Assert.Equal(0, await agent.StopAsync());
            await Delivered.AssertSampledStoredOnceAsync(database, agentId, agent, Path.Combine(folder, "spool"));
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", up, done], engine, 60);
            await Cli.RunAsync("bash", [script, "stop", folder], null, 120);
            await Cli.RunAsync("rm", ["-rf", folder], null, 120);
        }
    }

    [Fact]
    public async Task An_agent_whose_clock_is_an_hour_ahead_is_refused_with_a_clear_message_and_nothing_is_stored()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("skew");
        var spool = Directory.CreateTempSubdirectory("ss-skew-spool-").FullName;
        // libfaketime (Debian's faketime package) moves the real agent's clock, and only its clock, an hour ahead.
        var faketime = Directory.EnumerateDirectories("/usr/lib").Select(d => Path.Combine(d, "faketime", "libfaketime.so.1")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("libfaketime not found: scripts/install-deps.sh installs the faketime package");
        var skewed = new Dictionary<string, string> { ["LD_PRELOAD"] = faketime, ["FAKETIME"] = "+1h", ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1" };
        await using var agent = RunningAgent.StartWith(skewed, ["--Agent:ServerUrl", server.BaseAddress.ToString(),
            "--Agent:AgentId", agentId, "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)]);
        try
        {
            await Delivered.WaitUntilAsync(() => Task.FromResult(agent.Lines.Count(l => l.Contains("Server rejected report", StringComparison.Ordinal)) >= 2),
                "two reports refused");
            var sampled = agent.Sampled;
            Assert.NotEmpty(sampled);
            Assert.All(sampled, s => Assert.True(DateTime.Parse(s.Time, CultureInfo.InvariantCulture) > DateTime.UtcNow.AddMinutes(50), $"{s.Time} is not an hour ahead"));
            var refusal = agent.Lines.First(l => l.Contains("Server rejected report", StringComparison.Ordinal));
            Assert.Contains("HTTP 400", refusal, StringComparison.Ordinal);
            Assert.Contains("is in the future", refusal, StringComparison.Ordinal);
            Assert.Contains("check the agent's clock", refusal, StringComparison.Ordinal);
            Assert.Equal(0, await database.CountAsync("server", agentId));
            Assert.Equal(0, await database.CountAsync("container", agentId));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(spool, "rejected"))); // kept for the operator, not resent
            Assert.False(agent.HasExited);
        }
        finally
        {
            await agent.StopAsync();
            Directory.Delete(spool, recursive: true);
        }
    }

    [Fact]
    public async Task A_refused_token_keeps_the_reports_spooled_until_the_agent_has_a_good_one()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("token");
        var spool = Directory.CreateTempSubdirectory("ss-token-spool-").FullName;
        string[] args = ["--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool];
        try
        {
            var wrong = RunningAgent.StartWith(null, [.. args, "--Agent:Token", "ssa_0123456789ab_not-a-real-secret"]);
            await using (wrong)
            {
                await Delivered.WaitUntilAsync(() => Task.FromResult(wrong.Lines.Count(l => l.Contains("refused this agent's credentials", StringComparison.Ordinal)) >= 2),
                    "the agent to report the refused token");
                Assert.Equal(0, await wrong.StopAsync());
            }

            Assert.Contains(wrong.Lines, l => l.Contains("1401: invalid or revoked token", StringComparison.Ordinal));
            Assert.False(Directory.Exists(Path.Combine(spool, "rejected")), "nothing was parked as rejected");
            Assert.Equal(0, await database.CountAsync("server", agentId));

            await using var fixedAgent = RunningAgent.StartWith(null, [.. args, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)]);
            await Delivered.WaitUntilAsync(() => Task.FromResult(Delivered.SpoolEmpty(spool)), "the spool to drain with the good token");
            Assert.Equal(0, await fixedAgent.StopAsync());
            var stored = await Delivered.StoredTimesAsync(database, agentId);
            Assert.Subset(stored.ToHashSet(), wrong.Sampled.Select(s => s.Time).ToHashSet()); // everything sampled under the bad token arrived
            Assert.Equal(wrong.Sampled.Count + fixedAgent.Sampled.Count, stored.Count);
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    private static List<(string Time, int Total)> Drops(RunningAgent agent) => agent.Lines.Select(l => DropLine().Match(l)).Where(m => m.Success)
        .Select(m => (DateTime.ParseExact(m.Groups[1].Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();

    private static long SpoolBytes(string spool) => Directory.GetFiles(spool, "*.json").Sum(f => new FileInfo(f).Length);

    [GeneratedRegex(@"Dropped spooled report (\d{14})\S* \(spool over Agent:SpoolMaxBytes\); (\d+) dropped since start")]
    private static partial Regex DropLine();
}
