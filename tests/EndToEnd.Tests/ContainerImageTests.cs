using System.Net.Sockets;
using System.Text.Json.Nodes;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;
using static StackScope.EndToEnd.Tests.Infrastructure.Figures;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// The images scripts/build-images.sh makes (no registry: a base imported from this machine's libraries) run by
/// deploy/compose's example on the test dockerd, on an internal network the test's override makes (the bridge to the
/// outside is off). The server also listens on a unix socket in a folder of the test's, which is how the test reads
/// it. The containerised agent's figures for the test containers are compared with the host agent's.
/// </summary>
[Collection(DockerTestGroup.Name)]
public sealed class ContainerImageTests(TestContainers containers, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_compose_example_runs_both_images_unprivileged_and_the_containerised_agent_reports_what_the_host_agent_does()
    {
        Assert.True(File.Exists("/usr/bin/docker-compose"), "docker-compose is not installed: run the tests with scripts/test.sh");
        var id = Guid.NewGuid().ToString("N")[..6];
        var tag = "e2e-" + id;
        var project = "sst-compose-" + id;
        var agentId = "box-" + id;
        var folder = Directory.CreateTempSubdirectory("ss-e2e-compose-").FullName;
        var socketFolder = Path.Combine(folder, "run");
        Directory.CreateDirectory(socketFolder);
        File.SetUnixFileMode(socketFolder, (UnixFileMode)0x1FF); // the server's user writes its socket here
        var overrideFile = Path.Combine(folder, "test.yaml");
        await File.WriteAllTextAsync(overrideFile, $$"""
            services:
              server:
                environment:
                  SS_Urls: "http://0.0.0.0:5080;http://unix:/run/stackscope/http.sock"
                volumes: ["{{socketFolder}}:/run/stackscope"]
              agent:
                environment:
                  SS_Agent__IntervalSeconds: "1"
            networks:
              default:
                internal: true
            """);
        var socketPath = DockerEngine.Host["unix://".Length..];
        var environment = DockerEngine.Environment_;
        environment["SS_IMAGE_TAG"] = tag;
        environment["SS_AGENT_ID"] = agentId;
        environment["SS_AGENT_TOKEN_FILE"] = Path.Combine(folder, "agent.token");
        environment["SS_SERVER_PUBLISH"] = "127.0.0.1:"; // any free port; an internal network publishes none anyway
        environment["DOCKER_SOCKET"] = socketPath;
        environment["DOCKER_GID"] = (await Cli.CheckedAsync("stat", ["-c", "%g", socketPath])).Trim();
        string[] compose = ["-p", project, "-f", Path.Combine(MariaDb.RepositoryRoot, "deploy", "compose", "compose.yaml"), "-f", overrideFile];
        Task<string> Compose(params string[] args) => Cli.CheckedAsync("docker-compose", [.. compose, .. args], environment, 180);
        try
        {
            var built = await Cli.RunAsync("bash", [Path.Combine(MariaDb.RepositoryRoot, "scripts", "build-images.sh")], environment, 600);
            Assert.True(built.ExitCode == 0, built.Output + built.Error);

            // Each image runs its program as its own user, on a read-only root, without capabilities.
            foreach (var (program, user) in new[] { ("ss-server", "10001:10001"), ("ss-agent", "10002:10002") })
            {
                var image = $"stackscope/{program}:{tag}";
                Assert.Equal(user, (await DockerEngine.RunAsync("image", "inspect", "-f", "{{.Config.User}}", image)).Trim());
                var version = await DockerEngine.RunAsync("run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL", "--name", $"sst-version-{id}", image, "--version");
                Assert.StartsWith(program + " ", version.Trim(), StringComparison.Ordinal);
            }

            // The README's steps: the agent's token, then up.
            await File.WriteAllTextAsync(Path.Combine(folder, "agent.token"), await Compose("run", "--rm", "-T", "server", "agent", "add", agentId));
            var readToken = (await Compose("run", "--rm", "-T", "server", "token", "add", "e2e")).Trim();
            await Compose("up", "-d");

            // The host agent's server, started (and its ingest path warmed) before any CPU is compared.
            await using var database = new SqliteTestDatabase();
            await using var hostServer = await RunningServer.StartAsync(database);
            Assert.Equal("200", AgentOutput.Parse((await AgentBinary.OnceAsync(hostServer, "host-" + id)).Output).Status);

            using var http = UnixSocketClient(Path.Combine(socketFolder, "http.sock"), readToken);
            var names = new[] { containers.Idle, containers.Busy, containers.Limited, containers.MemoryHog, containers.Exited, containers.Paused };
            await Delivered.WaitUntilAsync(async () =>
            {
                var latest = await LatestAsync(http, agentId);
                return names.All(latest.ContainsKey) && latest[containers.Busy]["cpuPercent"]!.GetValue<double>() > 0;
            }, "the containerised agent's report of the test containers, with CPU", 90);

            // Host agent and containerised agent over neighbouring seconds, five times: the host agent's second, then the
            // containerised agent's first report sampled after it. Loops' shares move a few points from one second to
            // the next, so CPU is judged by the median difference.
            var rounds = new List<(AgentOutput Host, Dictionary<string, JsonObject> Boxed)>();
            for (var round = 0; round < 5; round++)
            {
                var host = AgentOutput.Parse((await AgentBinary.OnceAsync(hostServer, "host-" + id)).Output);
                var hostTime = DateTime.Parse((string)host.Host["ser_get_datetime"]!, System.Globalization.CultureInfo.InvariantCulture);
                Dictionary<string, JsonObject> latest = [];
                await Delivered.WaitUntilAsync(async () =>
                {
                    latest = await LatestAsync(http, agentId);
                    return latest.TryGetValue(containers.Busy, out var busy) && busy["sampledAt"]!.GetValue<DateTime>() > hostTime;
                }, "a containerised report sampled after the host agent's", 30);
                rounds.Add((host, latest));
            }

            var (hostAgent, boxed) = rounds[^1];
            foreach (var name in names)
            {
                var hostRecord = hostAgent.Container(name);
                Assert.Equal((string?)hostRecord["status"], (string?)boxed[name]["status"]);
                Assert.Equal((string?)hostRecord["container_id"], (string?)boxed[name]["containerId"]);
                Assert.Equal((string?)hostRecord["image"], (string?)boxed[name]["image"]);
                Assert.Equal((long?)hostRecord["con_memory_limit"], (long?)boxed[name]["memoryLimitBytes"]);
                var memory = Number(hostRecord, "con_memory_usage");
                Assert.InRange(Number(boxed[name], "memoryUsageMiB"), memory - 1, memory + 1);
            }

            Assert.InRange(Number(boxed[containers.MemoryHog], "memoryUsageMiB"), 49, 53);
            foreach (var (name, expected) in new[] { (containers.Busy, 100.0), (containers.Limited, 50.0), (containers.Idle, 0.0), (containers.Paused, 0.0) })
            {
                var difference = Median(rounds.Select(r => Number(r.Boxed[name], "cpuPercent") - Number(r.Host.Container(name), "con_cpu_percent")));
                output.WriteLine($"{name}: CPU containerised - host, median of 5: {difference:F1} points (" +
                    string.Join(", ", rounds.Select(r => $"{Number(r.Boxed[name], "cpuPercent"):F1}/{Number(r.Host.Container(name), "con_cpu_percent"):F1}")) + ")");
                Assert.InRange(difference, -10, 10);
                Assert.InRange(Median(rounds.Select(r => Number(r.Boxed[name], "cpuPercent"))), expected - 12, expected + 12);
            }

            // The host's own figures come through the mounted /proc.
            var agents = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/agents", UriKind.Relative)))!["data"]!.AsArray();
            var me = agents.Single(a => (string?)a!["agentId"] == agentId)!;
            Assert.Equal((int)hostAgent.Host["ser_cpu_count"]!, (int)me["cpuCount"]!);
            Assert.Equal(Number(hostAgent.Host, "ser_memory_total"), Number(me.AsObject(), "memoryTotalMiB"), 0.01);

            var agentLog = await Compose("logs", "--no-color", "agent");
            Assert.Contains("reading container CPU and memory from the containers' cgroup files", agentLog, StringComparison.Ordinal);

            // What the kernel says of the running processes: their users, no capability, no new privileges, and the
            // root file system read-only, on the internal network only.
            foreach (var (service, uid) in new[] { ("server", "10001"), ("agent", "10002") })
            {
                var container = $"{project}_{service}_1";
                var pid = (await DockerEngine.RunAsync("inspect", "-f", "{{.State.Pid}}", container)).Trim();
                var status = await File.ReadAllLinesAsync($"/proc/{pid}/status");
                Assert.Equal(["Uid:", uid, uid, uid, uid], status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', ' '));
                Assert.Equal("0000000000000000", status.Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal)).Split('\t')[^1]);
                Assert.Equal("0000000000000000", status.Single(l => l.StartsWith("CapPrm:", StringComparison.Ordinal)).Split('\t')[^1]);
                Assert.Equal("1", status.Single(l => l.StartsWith("NoNewPrivs:", StringComparison.Ordinal)).Split('\t')[^1]);
                Assert.Equal("true", (await DockerEngine.RunAsync("inspect", "-f", "{{.HostConfig.ReadonlyRootfs}}", container)).Trim());
                Assert.Equal($"{project}_default", (await DockerEngine.RunAsync("inspect", "-f", "{{.HostConfig.NetworkMode}}", container)).Trim());
            }

            Assert.Equal("true", (await DockerEngine.RunAsync("network", "inspect", "-f", "{{.Internal}}", $"{project}_default")).Trim());
        }
        finally
        {
            await Cli.RunAsync("docker-compose", [.. compose, "down", "-v", "--rmi", "all"], environment, 180);
            await Cli.RunAsync("docker", ["rmi", $"stackscope/base:{tag}"], environment, 60);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The server's latest containers of <paramref name="agentId"/> by name (empty before its start or first report).</summary>
    private static async Task<Dictionary<string, JsonObject>> LatestAsync(HttpClient http, string agentId)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri($"/api/v1/agents/{agentId}/containers?size=200", UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return []; // its socket is not there yet
        }

        using var answer = response;
        if (!answer.IsSuccessStatusCode)
        {
            return [];
        }

        return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["data"]!.AsArray()
            .Select(c => c!.AsObject()).ToDictionary(c => (string)c["containerName"]!);
    }

    private static HttpClient UnixSocketClient(string path, string token)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri("http://stackscope/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
