using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;
using StackScope.Tests.Common.Cri;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// A host with Docker, Podman and a Kubernetes runtime (real containerd with its CRI plugin) reported in one report,
/// its pods grouped and filtered by namespace and pod through the API and in Chromium, a restarted container's attempts
/// on its page; then containerd killed mid-run: only its pods go missing, and the report says why.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class KubernetesNodeTests(TestContainers containers) : IAsyncLifetime
{
    private readonly string _namespace = "sst-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _prefix = containers.Prefix + "k8s-";
    private readonly List<Pod> _pods = [];
    private FakeKubelet _kubelet = null!;

    public async Task InitializeAsync() => _kubelet = await CriRuntime.KubeletAsync();

    public async Task DisposeAsync()
    {
        await CriRuntime.StartAsync(); // back, if the test stopped it
        foreach (var pod in _pods)
        {
            await _kubelet.RemovePodAsync(pod);
        }

        _kubelet.Dispose();
        await DockerEngine.RunAsync("rm", "-f", _prefix + "docked");
        await PodmanEngine.RunAsync("rm", "-f", "-t", "0", _prefix + "podded");
    }

    [Fact]
    public async Task Three_engines_in_one_report_pods_grouped_and_filtered_and_containerd_away_costs_only_its_pods()
    {
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", _prefix + "docked", DockerEngine.Image, "sleep", "3600");
        await PodmanEngine.RunAsync("run", "-d", "--network", "none", "--name", _prefix + "podded", PodmanEngine.Image, "sleep", "3600");
        var api = await PodAsync("api", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "api" });
        await _kubelet.StartContainerAsync(api, "app", 0, ["sleep", "3600"]);
        await _kubelet.StartContainerAsync(api, "sidecar", 0, ["sleep", "3600"]);

        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("node");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-node-").FullName;
        var agent = RunningAgent.Start(["--Agent:Engines:0:Type", "docker", "--Agent:Engines:0:Host", DockerEngine.Host,
            "--Agent:Engines:1:Type", "podman", "--Agent:Engines:1:Host", PodmanEngine.Host,
            "--Agent:Engines:2:Type", "containerd", "--Agent:Engines:2:Host", CriRuntime.Host,
            "--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:NodeName", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId)]);
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("reporting to", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            // A job's container fails, and kubelet starts it again: attempt 1.
            var job = await PodAsync("job");
            var failed = await _kubelet.StartContainerAsync(job, "work", 0, ["sh", "-c", "sleep 2; exit 4"]);
            Assert.Equal(4, (await _kubelet.WaitExitedAsync(failed, TimeSpan.FromSeconds(30))).ExitCode);
            await KubernetesCriTests.WaitForEventAsync(database, agentId, job.RowOf("work"), "die");
            await _kubelet.StartContainerAsync(job, "work", 1, ["sleep", "3600"]);
            await Delivered.WaitUntilAsync(async () => (await KubernetesCriTests.EventsAsync(database, agentId)).Count(e => e.Container == job.RowOf("work") && e.Action == "start") == 2,
                "the job's second start", 60);

            // One report, three engines; the pods' rows carry their namespace and pod, and filter by them.
            var all = await ContainersAsync(server, $"/api/v1/agents/{agentId}/containers?size=200");
            Assert.Equal("docker", (string?)all[_prefix + "docked"]["engineType"]);
            Assert.Equal("podman", (string?)all[_prefix + "podded"]["engineType"]);
            var app = all[api.RowOf("app")];
            Assert.Equal(("containerd", _namespace, "api"), ((string?)app["engineType"], (string?)app["namespace"], (string?)app["pod"]));
            Assert.Equal("app", (string?)app["labels"]!["io.kubernetes.container.name"]);
            Assert.Null(app["labels"]!["app.kubernetes.io/name"]); // the pod's own labels stay on the node unless forwarded
            Assert.Null(all[_prefix + "docked"]["namespace"]);
            var host = (await database.QueryAsync("SELECT engine_types FROM server WHERE agent_id = @a ORDER BY ser_get_datetime DESC LIMIT 1", ("@a", agentId)))[0];
            Assert.Equal("docker,podman,containerd", (string?)host["engine_types"]);
            var inNamespace = await ContainersAsync(server, $"/api/v1/agents/{agentId}/containers?namespace={_namespace}");
            Assert.Equal([api.RowOf("app"), api.RowOf("sidecar"), job.RowOf("work")], inNamespace.Keys.Order(StringComparer.Ordinal));
            var inPod = await ContainersAsync(server, $"/api/v1/agents/{agentId}/containers?namespace={_namespace}&pod=api&size=1");
            Assert.Single(inPod);

            using (var playwright = await Playwright.CreateAsync())
            {
                await using var browser = await Browser.LaunchAsync(playwright);
                Assert.True(await server.AddUserAsync("node", "dashboard password"));
                var page = await browser.NewPageAsync();
                await page.GotoAsync(server.BaseAddress + $"#/agent/{agentId}");
                await Browser.SignInAsync(page, "node", "dashboard password");
                // The pod's containers under their pod's heading, each with its engine.
                var heading = page.Locator($"tr.pod[data-pod='{_namespace}/api']");
                await heading.WaitForAsync();
                Assert.Contains("2 containers", await heading.TextContentAsync(), StringComparison.Ordinal);
                Assert.Equal(2, await page.Locator($"tr[data-pod-of='{_namespace}/api']").CountAsync());
                Assert.Equal("containerd", await page.Locator($"tr[data-container='{api.RowOf("app")}'] [data-engine]").TextContentAsync());
                Assert.Equal("1", await page.Locator($"tr[data-container='{job.RowOf("work")}'] [data-restarts]").TextContentAsync());
                // The namespace filter shows its pods only.
                await page.Locator("select[data-namespaces]").SelectOptionAsync(_namespace);
                await page.Locator($"tr[data-container='{_prefix}docked']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
                Assert.Equal(3, await page.Locator("tr[data-pod-of]:not([data-pod-of=''])").CountAsync());
                // The restarted container's page: its two attempts' events, each named.
                await page.GotoAsync(server.BaseAddress + $"#/agent/{agentId}/container/{job.RowOf("work")}");
                await page.Locator("[data-attempt='2']").First.WaitForAsync();
                Assert.Equal(2, await page.Locator("li[data-event='start'] [data-attempt]").CountAsync());
                Assert.Contains("exit code 4", await page.Locator("li[data-event='die']:has([data-attempt='1'])").TextContentAsync(), StringComparison.Ordinal);
            }

            // containerd killed: Docker's and Podman's containers are still reported every interval, the pods are
            // missing, and the report names the engine it could not read.
            await CriRuntime.KillAsync();
            var away = DateTime.UtcNow;
            await Delivered.WaitUntilAsync(async () => (await database.QueryAsync(
                "SELECT COUNT(*) AS n FROM server WHERE agent_id = @a AND unread_engines = 'containerd' AND ser_get_datetime > @t",
                ("@a", agentId), ("@t", away.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))))[0]["n"] is { } n && Convert.ToInt64(n, CultureInfo.InvariantCulture) >= 3,
                "three reports without containerd", 60);
            var rowsAway = await database.QueryAsync(
                "SELECT c.container_name, c.engine_type FROM container c JOIN server s ON s.agent_id = c.agent_id AND s.ser_get_datetime = c.con_get_datetime " +
                "WHERE s.agent_id = @a AND s.unread_engines = 'containerd'", ("@a", agentId));
            Assert.Contains(rowsAway, r => (string?)r["container_name"] == _prefix + "docked");
            Assert.Contains(rowsAway, r => (string?)r["container_name"] == _prefix + "podded");
            Assert.DoesNotContain(rowsAway, r => (string?)r["engine_type"] == "containerd");
            Assert.False(agent.HasExited);
        }
        finally
        {
            await agent.DisposeAsync();
            Directory.Delete(spool, recursive: true);
        }
    }

    private async Task<Pod> PodAsync(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var pod = await _kubelet.RunPodAsync(_namespace, name, labels);
        _pods.Add(pod);
        return pod;
    }

    private static async Task<Dictionary<string, JsonNode>> ContainersAsync(RunningServer server, string path)
    {
        using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
        return !response.IsSuccessStatusCode ? [] : (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray()
            .ToDictionary(c => (string)c!["containerName"]!, c => c!);
    }
}
