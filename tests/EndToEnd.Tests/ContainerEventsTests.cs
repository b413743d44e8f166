using System.Globalization;
using System.Text.Json.Nodes;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Container events on a real engine, from the agent's stream and its reconciliation, stored exactly once: counted
/// against the engine's own event log (a <c>docker events</c> the test runs from the start), through a server outage,
/// an agent restart during which the engine's replay buffer overflowed, and a restart loop.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class ContainerEventsTests(TestContainers containers)
{
    [Fact]
    public async Task Every_event_is_stored_once_through_a_server_outage_and_an_agent_restart()
    {
        var p = containers.Prefix + "ev-";
        var (exit3, oom, health, paused, missed, loop) = (p + "exit3", p + "oom", p + "health", p + "paused", p + "missed", p + "loop");
        using var truth = new CapturedProcess(DockerCli(["events", "--filter", "type=container", "--format", "{{json .}}"]));
        await using var database = new SqliteTestDatabase();
        var settings = new Dictionary<string, string?> { ["Urls"] = $"http://127.0.0.1:{Ports.Free()}" };
        var server = await RunningServer.StartAsync(database, settings);
        var agentId = Reports.NewAgentId("events");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-events-").FullName;
        var token = await server.Credentials.AgentTokenAsync(agentId);
        string[] args = ["--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:NodeName", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", token];
        await server.DisposeAsync(); // the server is away while the first events happen
        RunningAgent? agent = RunningAgent.Start(args);
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("reporting to", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

            // 1. With the server away: an exit with code 3, an OOM kill, a health check turning unhealthy, a pause.
            await Docker("run", "-d", "--network", "none", "--name", exit3, DockerEngine.Image, "sh", "-c", "sleep 1; exit 3");
            await Docker("run", "-d", "--network", "none", "--memory", "32m", "--memory-swap", "32m", "--name", oom, DockerEngine.Image,
                "sh", "-c", "head -c 100000000 /dev/zero | sort > /dev/null");
            await Docker("run", "-d", "--network", "none", "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s", "--health-retries", "1",
                "--name", health, DockerEngine.Image, "sh", "-c", "touch /tmp/ok; sleep 3; rm /tmp/ok; sleep 3600");
            await Docker("run", "-d", "--network", "none", "--name", paused, DockerEngine.Image, "sleep", "3600");
            await Docker("pause", paused);
            await Docker("unpause", paused);
            await Delivered.WaitUntilAsync(async () => (await Docker("inspect", "-f", "{{.State.Health.Status}}", health)).Trim() == "unhealthy",
                "the health check turned unhealthy", 60);
            await Docker("rm", "-f", health); // its checks would fill the engine's event buffer
            await Task.Delay(TimeSpan.FromSeconds(2));
            server = await RunningServer.StartAsync(database, settings);
            await WaitForAsync(database, agentId, exit3, "die");
            await WaitForAsync(database, agentId, health, "destroy");

            // 2. The agent is away while a container runs and exits 3, and 80 short-lived containers push that from
            //    the engine's replay buffer (256 events): only reconciliation with inspect can still see it.
            Assert.Equal(0, await agent.StopAsync());
            await agent.DisposeAsync();
            agent = null;
            await Docker("run", "-d", "--network", "none", "--name", missed, DockerEngine.Image, "sh", "-c", "sleep 1; exit 3");
            await Delivered.WaitUntilAsync(async () => (await Docker("inspect", "-f", "{{.State.Status}}", missed)).Trim() == "exited", "the missed exit", 30);
            for (var batch = 0; batch < 10; batch++)
            {
                await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Docker("run", "--rm", "--network", "none", "--name", $"{p}flood-{batch}-{i}", DockerEngine.Image, "true")));
            }

            agent = RunningAgent.Start(args);
            await WaitForAsync(database, agentId, missed, "die");

            // 3. A restart loop, then everything removed.
            await Docker("run", "-d", "--network", "none", "--restart", "always", "--name", loop, DockerEngine.Image, "sh", "-c", "sleep 1; exit 1");
            await Delivered.WaitUntilAsync(async () => await CountAsync(database, agentId, loop, "die") >= 3, "three crashes of the restart loop", 90);
            foreach (var name in new[] { exit3, oom, paused, missed, loop })
            {
                await Docker("rm", "-f", name);
            }

            foreach (var name in new[] { exit3, oom, paused, missed, loop })
            {
                await WaitForAsync(database, agentId, name, "destroy");
            }

            await Task.Delay(TimeSpan.FromSeconds(3)); // anything doubled would have arrived by now
        }
        finally
        {
            if (agent is not null)
            {
                await agent.DisposeAsync();
            }

            await server.DisposeAsync();
            Directory.Delete(spool, recursive: true);
            truth.Process.Kill();
        }

        var stored = (await database.QueryAsync(
                "SELECT container_name, action, exit_code, health, source, time_nano FROM container_event WHERE agent_id = @a", ("@a", agentId)))
            .Select(r => (Name: (string)r["container_name"]!, Action: (string)r["action"]!, Exit: r["exit_code"] is long e ? (int?)e : null,
                Health: r["health"] as string, Source: (string)r["source"]!)).ToList();
        var engine = EngineLog(truth.Lines, p);

        // Exactly what the engine logged, action by action, for every container the stream could see throughout.
        foreach (var name in new[] { exit3, oom, health, paused, loop })
        {
            Assert.Equal(Counts(engine.Where(e => e.Name == name)), Counts(stored.Where(e => e.Name == name)));
        }

        // The exit the stream never saw: its run reconstructed from inspect, once, with its exit code.
        Assert.Equal([("die", 3), ("start", (int?)null)], stored.Where(e => e.Name == missed && e.Action is "die" or "start")
            .Select(e => (e.Action, e.Exit)).OrderBy(e => e.Action));
        Assert.All(stored.Where(e => e.Name == missed && e.Action is "die" or "start"), e => Assert.Equal(ContainerActions.SourceReconciled, e.Source));
        Assert.Single(stored, e => e.Name == missed && e.Action == "destroy");

        Assert.Single(stored, e => e is { Action: "die", Exit: 3 } && e.Name == exit3);
        Assert.Single(stored, e => e is { Action: "die", Exit: 137 } && e.Name == oom);
        Assert.Single(stored, e => e.Action == "oom" && e.Name == oom);
        Assert.Single(stored, e => e is { Action: "health_status", Health: "unhealthy" } && e.Name == health);
        Assert.True(stored.Count(e => e is { Action: "die", Exit: 1 } && e.Name == loop) >= 3); // its crashes (the removal's kill ends it with 137)
        Assert.DoesNotContain(stored, e => e.Name.Contains("flood", StringComparison.Ordinal) && e.Action is not ("create" or "start" or "die" or "destroy"));
    }

    private static Dictionary<string, int> Counts(IEnumerable<(string Name, string Action, int? Exit, string? Health, string Source)> events) =>
        events.GroupBy(e => e.Action + (e.Health is null ? "" : ":" + e.Health) + (e.Exit is null ? "" : "#" + e.Exit))
            .ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The engine's own log of lifecycle events for the test's containers, shaped as stored.</summary>
    private static List<(string Name, string Action, int? Exit, string? Health, string Source)> EngineLog(IReadOnlyList<string> lines, string prefix)
    {
        var events = new List<(string, string, int?, string?, string)>();
        foreach (var line in lines.Where(l => l.StartsWith('{')))
        {
            var e = JsonNode.Parse(line)!;
            var name = (string?)e["Actor"]?["Attributes"]?["name"] ?? "";
            var action = (string)e["Action"]!;
            string? health = null;
            if (action.StartsWith("health_status: ", StringComparison.Ordinal))
            {
                health = action["health_status: ".Length..];
                action = "health_status";
            }

            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !ContainerActions.IsKnown(action))
            {
                continue;
            }

            int? exit = action == "die" ? int.Parse((string)e["Actor"]!["Attributes"]!["exitCode"]!, CultureInfo.InvariantCulture) : null;
            events.Add((name, action, exit, health, ContainerActions.SourceEngine));
        }

        return events;
    }

    private static async Task WaitForAsync(TestDatabase database, string agentId, string name, string action) =>
        await Delivered.WaitUntilAsync(async () => await CountAsync(database, agentId, name, action) > 0, $"a stored '{action}' of {name}", 90);

    private static async Task<long> CountAsync(TestDatabase database, string agentId, string name, string action) =>
        Convert.ToInt64((await database.QueryAsync("SELECT COUNT(*) AS n FROM container_event WHERE agent_id = @a AND container_name = @n AND action = @x",
            ("@a", agentId), ("@n", name), ("@x", action)))[0]["n"], CultureInfo.InvariantCulture);

    private static Task<string> Docker(params string[] args) => DockerEngine.RunAsync(args);

    private static System.Diagnostics.ProcessStartInfo DockerCli(string[] args)
    {
        var start = CapturedProcess.StartInfo("docker", args);
        start.Environment["DOCKER_HOST"] = DockerEngine.Host;
        return start;
    }
}
