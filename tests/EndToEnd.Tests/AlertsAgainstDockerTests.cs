using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;
using Xunit.Abstractions;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Alerts from real containers on the test dockerd, sampled by the real agent (Native AOT binary), evaluated by the
/// real server and told to a webhook receiver on loopback: an exit with a code, an OOM kill, a restart loop, a failing
/// health check, a busy container over a CPU threshold, a container toggled until it flaps, and the agent itself
/// killed and started again. Each gives exactly one firing and one resolved notice (flapping: one flapping notice),
/// within two report intervals of the condition, the rule's own duration aside (the agent's silence: three intervals
/// without a report, counted from the last sample the server got).
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class AlertsAgainstDockerTests(TestContainers containers, ITestOutputHelper output)
{
    private const int Interval = 2;

    [Fact]
    public async Task Each_condition_on_real_containers_is_told_once_firing_and_once_resolved_in_time()
    {
        var p = containers.Prefix + "al-";
        var (exit, oom, loop, sick, busy, flap) = (p + "exit", p + "oom", p + "loop", p + "sick", p + "busy", p + "flap");
        string[] all = [exit, oom, OomRetry(oom), loop, sick, busy, flap];
        await using var hook = await WebhookReceiver.StartAsync();
        await using var alertmanager = await WebhookReceiver.StartAsync();
        var rulesFile = Path.Combine(Directory.CreateTempSubdirectory("ss-e2e-rules-").FullName, "rules.yaml");
        await File.WriteAllTextAsync(rulesFile, $"""
            rules:
              - {"{"}name: exited, kind: state, condition: exited_nonzero, channels: [hook, am], scope: {"{"}containers: ['{exit}']{"}"}{"}"}
              - {"{"}name: oom, kind: state, condition: oom_killed, scope: {"{"}containers: ['{oom}*']{"}"}{"}"}
              - {"{"}name: loop, kind: state, condition: restart_loop, count: 3, within: 60s, scope: {"{"}containers: ['{loop}']{"}"}{"}"}
              - {"{"}name: sick, kind: state, condition: unhealthy, for: 2s, scope: {"{"}containers: ['{sick}']{"}"}{"}"}
              - {"{"}name: busy, kind: metric, metric: container.cpu_percent, threshold: 50, clear: 20, for: 2s, scope: {"{"}containers: ['{busy}']{"}"}{"}"}
              - {"{"}name: flap, kind: state, condition: exited_nonzero, scope: {"{"}containers: ['{flap}']{"}"}{"}"}
              - {"{"}name: silent, kind: absence, floor: 3s{"}"}
            """);
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:RulesFile"] = rulesFile,
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = hook.Url,
            ["Alerts:Channels:am:Type"] = "webhook",
            ["Alerts:Channels:am:Url"] = alertmanager.Url,
            ["Alerts:Channels:am:Format"] = "alertmanager",
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
            ["Alerts:FlapSettleMinutes"] = "60",
        });
        var agentId = Reports.NewAgentId("alerts");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-alerts-").FullName;
        string[] args = ["--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:NodeName", agentId,
            "--Agent:IntervalSeconds", Interval.ToString(CultureInfo.InvariantCulture), "--Agent:SpoolPath", spool,
            "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)];
        var agent = RunningAgent.Start(args);
        var latencies = new List<string>();
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("reporting to", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(Interval + 1));

            // Exit with a code: fires on the die, resolves when the container is removed.
            await Docker("run", "-d", "--network", "none", "--name", exit, DockerEngine.Image, "sh", "-c", "sleep 1; exit 3");
            var died = await FinishedAtAsync(exit);
            var fired = await hook.WaitForAsync(WebhookReceiver.Is("firing", "exited"), TimeSpan.FromSeconds(30), "exit firing");
            Latency(latencies, "exit fired", died, hook, fired, 2 * Interval);
            Assert.Contains("exited with code 3", (string?)fired["summary"], StringComparison.Ordinal);
            var removed = await RemoveAsync(exit);
            Latency(latencies, "exit resolved", removed, hook, await hook.WaitForAsync(WebhookReceiver.Is("resolved", "exited"), TimeSpan.FromSeconds(30), "exit resolved"), 2 * Interval);
            var am = await alertmanager.WaitForAsync(n => (string?)n["status"] == "resolved", TimeSpan.FromSeconds(30), "Alertmanager resolved payload");
            Assert.Equal("exited", (string?)am["alerts"]![0]!["labels"]!["alertname"]);
            Assert.Equal(exit, (string?)am["alerts"]![0]!["labels"]!["container"]);

            // OOM kill: the oom rule, not the exit rule (137 after an oom is the OOM kill's own alert).
            var (oomAt, oomName) = await OomKilledAsync(oom);
            Latency(latencies, "oom fired", oomAt, hook, await hook.WaitForAsync(WebhookReceiver.Is("firing", "oom"), TimeSpan.FromSeconds(30), "oom firing"), 2 * Interval);
            removed = await RemoveAsync(oomName);
            Latency(latencies, "oom resolved", removed, hook, await hook.WaitForAsync(WebhookReceiver.Is("resolved", "oom"), TimeSpan.FromSeconds(30), "oom resolved"), 2 * Interval);

            // A failing health check for 2 s; healthy again resolves.
            await Docker("run", "-d", "--network", "none", "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s", "--health-retries", "1",
                "--name", sick, DockerEngine.Image, "sh", "-c", "touch /tmp/ok; sleep 2; rm /tmp/ok; sleep 3600");
            var unhealthy = await UntilAsync(async () => (await Docker("inspect", "-f", "{{.State.Health.Status}}", sick)).Trim() == "unhealthy", "unhealthy");
            Latency(latencies, "unhealthy fired", unhealthy.AddSeconds(2), hook, await hook.WaitForAsync(WebhookReceiver.Is("firing", "sick"), TimeSpan.FromSeconds(30), "unhealthy firing"), 2 * Interval);
            await Docker("exec", sick, "touch", "/tmp/ok");
            var healthy = await UntilAsync(async () => (await Docker("inspect", "-f", "{{.State.Health.Status}}", sick)).Trim() == "healthy", "healthy");
            Latency(latencies, "unhealthy resolved", healthy, hook, await hook.WaitForAsync(WebhookReceiver.Is("resolved", "sick"), TimeSpan.FromSeconds(30), "unhealthy resolved"), 2 * Interval);

            // A restart loop: three restarts within a minute.
            await Docker("run", "-d", "--network", "none", "--restart", "always", "--name", loop, DockerEngine.Image, "sh", "-c", "sleep 1; exit 1");
            var third = await UntilAsync(async () => int.Parse((await Docker("inspect", "-f", "{{.RestartCount}}", loop)).Trim(), CultureInfo.InvariantCulture) >= 3, "third restart");
            Latency(latencies, "restart loop fired", third, hook, await hook.WaitForAsync(WebhookReceiver.Is("firing", "loop"), TimeSpan.FromSeconds(30), "loop firing"), 2 * Interval);
            removed = await RemoveAsync(loop);
            Latency(latencies, "restart loop resolved", removed, hook, await hook.WaitForAsync(WebhookReceiver.Is("resolved", "loop"), TimeSpan.FromSeconds(30), "loop resolved"), 2 * Interval);

            // A busy container over 50 % for 2 s (docker stats' figure); paused, its CPU drops under the clear value.
            var started = DateTime.UtcNow;
            await Docker("run", "-d", "--network", "none", "--name", busy, DockerEngine.Image, "sh", "-c", "while :; do :; done");
            var hot = await hook.WaitForAsync(WebhookReceiver.Is("firing", "busy"), TimeSpan.FromSeconds(30), "busy firing");
            // The first sample that shows it busy can be an interval after the start; then the rule's 2 s.
            Latency(latencies, "busy fired", started.AddSeconds(2), hook, hot, 3 * Interval);
            Assert.True((double)hot["value"]! >= 50, hot.ToJsonString());
            await Docker("pause", busy);
            var paused = DateTime.UtcNow;
            var cool = await hook.WaitForAsync(WebhookReceiver.Is("resolved", "busy"), TimeSpan.FromSeconds(30), "busy resolved");
            Latency(latencies, "busy resolved", paused, hook, cool, 2 * Interval);
            Assert.True((double)cool["peak"]! >= (double)hot["value"]!, cool.ToJsonString());
            await RemoveAsync(busy);

            // Toggled six times: one flapping notice, then quiet.
            await Docker("create", "--network", "none", "--name", flap, DockerEngine.Image, "sh", "-c", "sleep 1; exit 2");
            for (var i = 0; i < 6; i++)
            {
                await Docker("start", flap);
                await UntilAsync(async () => (await Docker("inspect", "-f", "{{.State.Status}}", flap)).Trim() == "exited", "flap exited");
                await Task.Delay(TimeSpan.FromSeconds(Interval + 0.5));
            }

            await hook.WaitForAsync(WebhookReceiver.Is("flapping", "flap"), TimeSpan.FromSeconds(30), "flapping notice");

            // The agent killed: silent once 3 intervals passed without a report. That is the rule's own duration, counted
            // from the last sample the server got (the notice names it; taken up to a second before the server had it), so
            // the kill itself can be up to an interval after it; started again: resolved.
            await agent.DisposeAsync();
            var silent = await hook.WaitForAsync(WebhookReceiver.Is("firing", "silent"), TimeSpan.FromSeconds(30), "silence firing");
            Latency(latencies, "silence fired", LastSample(silent).AddSeconds(3 * Interval), hook, silent, 2 * Interval);
            agent = RunningAgent.Start(args);
            var back = DateTime.UtcNow;
            Latency(latencies, "silence resolved", back, hook, await hook.WaitForAsync(WebhookReceiver.Is("resolved", "silent"), TimeSpan.FromSeconds(30), "silence resolved"), 2 * Interval + 2);
            await Task.Delay(TimeSpan.FromSeconds(2 * Interval)); // anything doubled would have arrived by now
        }
        catch
        {
            // What the agent said and what the server stored tell a missed condition from a late one.
            output.WriteLine("agent:\n" + string.Join('\n', agent.Lines.TakeLast(60)));
            try
            {
                output.WriteLine("events stored: " + await server.Client.GetStringAsync($"/api/v1/agents/{agentId}/events"));
            }
            catch (HttpRequestException ex)
            {
                output.WriteLine("events stored: not readable: " + ex.Message);
            }

            foreach (var name in all)
            {
                var state = await Cli.RunAsync("docker", ["inspect", "-f", "{{.State.Status}} exit {{.State.ExitCode}} oomKilled {{.State.OOMKilled}}", name],
                    DockerEngine.Environment_);
                output.WriteLine($"engine's view of {name}: {state.Output.Trim()}{state.Error.Trim()}");
            }

            throw;
        }
        finally
        {
            await agent.DisposeAsync();
            foreach (var name in all)
            {
                await Cli.RunAsync("docker", ["rm", "-f", name], DockerEngine.Environment_);
            }

            Directory.Delete(spool, recursive: true);
            output.WriteLine(string.Join('\n', latencies));
        }

        var told = hook.Notices.Select(n => ((string)n["rule"]!, (string)n["kind"]!)).ToList();
        output.WriteLine(string.Join('\n', hook.Notices.Select(n => $"{n["kind"]} {n["rule"]} {n["target"]}: {n["summary"]}")));
        foreach (var rule in new[] { "exited", "oom", "loop", "sick", "busy", "silent" })
        {
            Assert.Equal(1, told.Count(t => t == (rule, "firing")));
            Assert.Equal(1, told.Count(t => t == (rule, "resolved")));
        }

        Assert.Equal(1, told.Count(t => t == ("flap", "flapping")));
        Assert.Equal(2, told.Count(t => t == ("flap", "firing")));
        Assert.Equal(1, told.Count(t => t == ("flap", "resolved")));
        Assert.Equal(hook.Received.Count, hook.Received.Select(r => r.NoticeId).Distinct().Count());
        // The Alertmanager-format channel gets every rule (none routes elsewhere but "exited", which names both).
        Assert.Equal(["firing", "resolved"], alertmanager.Notices.Where(n => (string?)n["alerts"]![0]!["labels"]!["alertname"] == "exited")
            .Select(n => (string)n["status"]!));
    }

    [Fact]
    public async Task A_container_that_died_during_a_server_outage_gives_one_backfilled_incident_and_one_summary()
    {
        var dead = containers.Prefix + "bf-dead";
        await using var hook = await WebhookReceiver.StartAsync();
        var rulesFile = Path.Combine(Directory.CreateTempSubdirectory("ss-e2e-rules-").FullName, "rules.yaml");
        await File.WriteAllTextAsync(rulesFile, $"rules:\n  - {{name: exited, kind: state, condition: exited_nonzero, scope: {{containers: ['{dead}']}}}}\n");
        await using var database = new SqliteTestDatabase();
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{Ports.Free()}",
            ["Alerts:RulesFile"] = rulesFile,
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = hook.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
            ["Alerts:BackfillAfterSeconds"] = "5",
        };
        var server = await RunningServer.StartAsync(database, settings);
        var agentId = Reports.NewAgentId("backfill");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-backfill-").FullName;
        var agent = RunningAgent.Start("--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:NodeName", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId));
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("reporting to", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(3));
            await server.DisposeAsync(); // the outage: the agent spools
            await Docker("run", "-d", "--network", "none", "--name", dead, DockerEngine.Image, "sh", "-c", "sleep 1; exit 5");
            await FinishedAtAsync(dead);
            await Task.Delay(TimeSpan.FromSeconds(8)); // longer than Alerts:BackfillAfterSeconds
            server = await RunningServer.StartAsync(database, settings);

            var summary = await hook.WaitForAsync(n => (string?)n["kind"] == "backfill", TimeSpan.FromSeconds(60), "the backfill summary");
            Assert.True(summary["items"]!.AsArray().Count == 1, $"one item expected: {summary.ToJsonString()}");
            var item = summary["items"]!.AsArray()[0];
            Assert.Equal(("exited", "fired", $"{agentId}/{dead}"), ((string)item!["rule"]!, (string)item["change"]!, (string)item["target"]!));
            Assert.True((bool)summary["backfilled"]!);
            var incidents = await server.Client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts/incidents?agent={agentId}");
            var incident = Assert.Single(incidents!["data"]!.AsArray());
            Assert.True((bool)incident!["backfilled"]!);
            Assert.Null(incident["resolvedAt"]);

            // Told once already: its resolution is told live.
            await RemoveAsync(dead);
            await hook.WaitForAsync(WebhookReceiver.Is("resolved", "exited"), TimeSpan.FromSeconds(30), "the resolution");
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await agent.DisposeAsync();
            await server.DisposeAsync();
            await Cli.RunAsync("docker", ["rm", "-f", dead], DockerEngine.Environment_);
            Directory.Delete(spool, recursive: true);
        }

        Assert.Equal(["backfill", "resolved"], hook.Notices.Select(n => (string)n["kind"]!));
    }

    private void Latency(List<string> log, string what, DateTime condition, WebhookReceiver hook, JsonObject notice, double limitSeconds)
    {
        var at = hook.Received.First(r => ReferenceEquals(r.Body, notice)).At;
        var seconds = (at - condition).TotalSeconds;
        log.Add($"{what}: {seconds:0.00} s after the condition (limit {limitSeconds} s)");
        output.WriteLine(log[^1]);
        Assert.True(seconds <= limitSeconds, $"{what}: told {seconds:0.00} s after the condition; the limit is {limitSeconds} s");
    }

    // "... silent: no report for 7 s (limit 6 s; last sample 2026-11-27 13:04:04Z)"
    private static DateTime LastSample(JsonObject notice)
    {
        var summary = (string)notice["summary"]!;
        var at = summary.IndexOf("last sample ", StringComparison.Ordinal) + "last sample ".Length;
        return DateTime.Parse(summary[at..summary.LastIndexOf(')')], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
    }

    /// <summary>
    /// A memory hog the kernel's OOM killer ends, and when. The engine can lose the kill: containerd watches for it and
    /// may read the cgroup only after the container is gone (containerd/containerd#8893), and then neither sets OOMKilled
    /// nor sends the oom event, so there is nothing for an agent to tell. Then once more, with a second container.
    /// </summary>
    private async Task<(DateTime At, string Name)> OomKilledAsync(string name)
    {
        foreach (var attempt in new[] { name, OomRetry(name) })
        {
            await Docker("run", "-d", "--network", "none", "--memory", "32m", "--memory-swap", "32m", "--name", attempt, DockerEngine.Image,
                "sh", "-c", "head -c 100000000 /dev/zero | sort > /dev/null");
            var at = await FinishedAtAsync(attempt);
            // The engine may also take the oom after the exit: give it a moment before calling it lost.
            for (var look = 0; look < 10; look++)
            {
                if ((await Docker("inspect", "-f", "{{.State.OOMKilled}}", attempt)).Trim() == "true")
                {
                    return (at, attempt);
                }

                await Task.Delay(300);
            }

            output.WriteLine($"the engine did not record {attempt}'s OOM kill (OOMKilled false): removed, tried again");
            await RemoveAsync(attempt);
        }

        throw new InvalidOperationException("the engine recorded no OOM kill in two attempts");
    }

    private static string OomRetry(string name) => name + "-2";

    private static async Task<DateTime> FinishedAtAsync(string name)
    {
        await UntilAsync(async () => (await Docker("inspect", "-f", "{{.State.Status}}", name)).Trim() == "exited", name + " exited");
        return DateTime.Parse((await Docker("inspect", "-f", "{{.State.FinishedAt}}", name)).Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal);
    }

    private static async Task<DateTime> RemoveAsync(string name)
    {
        await Docker("rm", "-f", name);
        return DateTime.UtcNow;
    }

    private static async Task<DateTime> UntilAsync(Func<Task<bool>> condition, string what)
    {
        await Delivered.WaitUntilAsync(condition, what, 60);
        return DateTime.UtcNow;
    }

    private static Task<string> Docker(params string[] args) => DockerEngine.RunAsync(args);
}
