using System.Globalization;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;
using StackScope.Tests.Common.Cri;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The agent on a Kubernetes node: a real containerd with its CRI plugin (scripts/cri.sh), pods made as kubelet makes
/// them by a fake kubelet, the real agent and server. A crash and its restart, an OOM kill and a pod's deletion are
/// each stored once (across an agent restart in between), and only the crash and the OOM kill alert.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class KubernetesCriTests : IAsyncLifetime
{
    private readonly string _namespace = "sst-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<Pod> _pods = [];
    private FakeKubelet _kubelet = null!;

    public async Task InitializeAsync() => _kubelet = await CriRuntime.KubeletAsync();

    public async Task DisposeAsync()
    {
        foreach (var pod in _pods)
        {
            await _kubelet.RemovePodAsync(pod);
        }

        _kubelet.Dispose();
    }

    [Fact]
    public async Task A_crash_alerts_once_an_oom_kill_is_its_own_and_a_deleted_pod_is_no_failure_across_an_agent_restart()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var rulesFile = Path.Combine(Directory.CreateTempSubdirectory("ss-e2e-cri-rules-").FullName, "rules.yaml");
        // Scoped by the namespace label the agent forwards by default: "alerts for namespace X".
        await File.WriteAllTextAsync(rulesFile, $"""
            rules:
              - name: crash
                kind: state
                condition: exited_nonzero
                channels: [hook]
                scope:
                  labels:
                    io.kubernetes.pod.namespace: '{_namespace}'
              - name: oom
                kind: state
                condition: oom_killed
                channels: [hook]
                scope:
                  labels:
                    io.kubernetes.pod.namespace: '{_namespace}'
            """);
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:RulesFile"] = rulesFile,
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = hook.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.25",
        });
        var agentId = Reports.NewAgentId("cri");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-cri-").FullName;
        string[] args = ["--Agent:Engines:0:Type", "containerd", "--Agent:Engines:0:Host", CriRuntime.Host,
            "--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:NodeName", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)];
        RunningAgent? agent = RunningAgent.Start(args);
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("reporting to", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

            // 1. A crash (exit 3): one die with its code, one alert.
            var crasher = await PodAsync("crasher");
            var first = await _kubelet.StartContainerAsync(crasher, "app", 0, ["sh", "-c", "sleep 1; exit 3"]);
            Assert.Equal(3, (await _kubelet.WaitExitedAsync(first, TimeSpan.FromSeconds(30))).ExitCode);
            var crashRow = crasher.RowOf("app");
            await WaitForEventAsync(database, agentId, crashRow, "die");
            await hook.WaitForAsync(WebhookReceiver.Is("firing", "crash"), TimeSpan.FromSeconds(30), "the crash alert");

            // 2. The agent is away while kubelet restarts the container (attempt 1): back, it tells the new start, and
            //    nothing it told before is told again.
            Assert.Equal(0, await agent.StopAsync());
            await agent.DisposeAsync();
            agent = null;
            var second = await _kubelet.StartContainerAsync(crasher, "app", 1, ["sleep", "3600"]);
            await Task.Delay(TimeSpan.FromSeconds(1));
            agent = RunningAgent.Start(args);
            await WaitForAsync(async () => (await EventsAsync(database, agentId)).Count(e => e.Container == crashRow && e.Action == "start") == 2, "the restart's start");
            await hook.WaitForAsync(WebhookReceiver.Is("resolved", "crash"), TimeSpan.FromSeconds(30), "the crash resolved by the restart");
            var row = (await database.QueryAsync(
                "SELECT container_id, restart_count, status, engine_type FROM container WHERE agent_id = @a AND container_name = @n ORDER BY con_get_datetime DESC LIMIT 1",
                ("@a", agentId), ("@n", crashRow)))[0];
            Assert.Equal(second, (string?)row["container_id"]);
            Assert.Equal(1L, Convert.ToInt64(row["restart_count"], CultureInfo.InvariantCulture));
            Assert.Equal(("running", "containerd"), ((string?)row["status"], (string?)row["engine_type"]));

            // 3. An OOM kill under a 16 MiB limit: oom and die 137, the OOM alert, no exit alert.
            var hog = await PodAsync("hog");
            var hogId = await _kubelet.StartContainerAsync(hog, "hog", 0, ["sh", "-c", "sleep 1; x=$(head -c 100000000 /dev/zero | tr '\\0' a)"],
                memoryLimitBytes: 16L * 1024 * 1024);
            var hogStatus = await _kubelet.WaitExitedAsync(hogId, TimeSpan.FromSeconds(60));
            Assert.Equal(("OOMKilled", 137), (hogStatus.Reason, hogStatus.ExitCode));
            await WaitForEventAsync(database, agentId, hog.RowOf("hog"), "die");
            await hook.WaitForAsync(WebhookReceiver.Is("firing", "oom"), TimeSpan.FromSeconds(30), "the OOM alert");

            // 4. A pod deleted as kubelet deletes one: its container stopped (SIGTERM, SIGKILL after the grace), then its
            //    sandbox; the report tells a kill before the die, and no alert fires. Removed, its row is gone.
            var web = await PodAsync("web");
            await _kubelet.StartContainerAsync(web, "app", 0, ["sleep", "3600"]);
            await WaitForAsync(async () => (await EventsAsync(database, agentId)).Any(e => e.Container == web.RowOf("app") && e.Action == "start"), "the web pod's start");
            await _kubelet.DeletePodAsync(web, graceSeconds: 2);
            await WaitForEventAsync(database, agentId, web.RowOf("app"), "die");
            await _kubelet.RemovePodAsync(web);
            var removed = DateTime.UtcNow.AddSeconds(1);
            await WaitForAsync(async () => await LatestNamesAsync(database, agentId, removed) is { } names && !names.Contains(web.RowOf("app")), "the deleted pod's row gone");

            var events = await EventsAsync(database, agentId);
            Assert.Equal(["start", "die", "start"], events.Where(e => e.Container == crashRow).Select(e => e.Action));
            Assert.Equal(3, events.Single(e => e.Container == crashRow && e.Action == "die").ExitCode);
            Assert.Equal(["start", "oom", "die"], events.Where(e => e.Container == hog.RowOf("hog")).Select(e => e.Action));
            Assert.Equal(137, events.Single(e => e.Container == hog.RowOf("hog") && e.Action == "die").ExitCode);
            Assert.Equal(["start", "kill", "die", "destroy"], events.Where(e => e.Container == web.RowOf("app")).Select(e => e.Action));
            Assert.Equal(137, events.Single(e => e.Container == web.RowOf("app") && e.Action == "die").ExitCode);

            // The hook heard the crash once (fired, then resolved), the OOM kill, and nothing of the deleted pod.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var firing = hook.Received.Select(r => r.Body).Where(b => (string?)b["kind"] == "firing").ToList();
            Assert.Single(firing, b => (string?)b["rule"] == "crash");
            Assert.Single(firing, b => (string?)b["rule"] == "oom");
            Assert.DoesNotContain(hook.Received, r => r.Body.ToJsonString().Contains("web", StringComparison.Ordinal));
        }
        finally
        {
            if (agent is not null)
            {
                await agent.DisposeAsync();
            }

            Directory.Delete(spool, recursive: true);
        }
    }

    private async Task<Pod> PodAsync(string name)
    {
        var pod = await _kubelet.RunPodAsync(_namespace, name);
        _pods.Add(pod);
        return pod;
    }

    internal static Task WaitForEventAsync(TestDatabase database, string agentId, string container, string action) =>
        WaitForAsync(async () => (await EventsAsync(database, agentId)).Any(e => e.Container == container && e.Action == action), $"{action} of {container}");

    private static Task WaitForAsync(Func<Task<bool>> condition, string what) => Delivered.WaitUntilAsync(condition, what, 60);

    internal static async Task<List<(string Container, string Action, int? ExitCode)>> EventsAsync(TestDatabase database, string agentId) =>
        (await database.QueryAsync("SELECT container_name, action, exit_code FROM container_event WHERE agent_id = @a ORDER BY time_nano, id", ("@a", agentId)))
            .Select(r => ((string)r["container_name"]!, (string)r["action"]!, r["exit_code"] is null ? (int?)null : Convert.ToInt32(r["exit_code"], CultureInfo.InvariantCulture)))
            .ToList();

    // The container names of the newest report stored at or after a time; null until there is one.
    private static async Task<HashSet<string>?> LatestNamesAsync(TestDatabase database, string agentId, DateTime since)
    {
        var latest = await database.QueryAsync("SELECT MAX(ser_get_datetime) AS t FROM server WHERE agent_id = @a AND ser_get_datetime >= @s",
            ("@a", agentId), ("@s", since.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));
        if (latest[0]["t"] is not { } at)
        {
            return null;
        }

        return (await database.QueryAsync("SELECT container_name FROM container WHERE agent_id = @a AND con_get_datetime = @t", ("@a", agentId), ("@t", at)))
            .Select(r => (string)r["container_name"]!).ToHashSet(StringComparer.Ordinal);
    }
}
