using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Metrics;

/// <summary>
/// <c>/metrics</c> on a real server: the fleet's latest figures under cAdvisor's and node_exporter's names with their
/// sample times, containers no longer reported gone, a read token required; the output passes <c>promtool check
/// metrics</c>; and a real Prometheus scraping the server answers a container's working set as the agent reported it.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string Prometheus = "/usr/bin/prometheus";
    private static readonly string[] NodeExporterCamelCase = ["node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes"];

    [Fact]
    public async Task The_fleets_latest_figures_carry_the_names_operators_query_and_their_sample_time()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("prom");
        var at = Truncated(DateTime.UtcNow.AddSeconds(-20));
        var first = Reports.Full(agent, at.AddSeconds(-10));
        var latest = Reports.Full(agent, at);
        var gone = latest["container_stats"]!.AsArray()[^1]!["container_name"]!.GetValue<string>();
        latest["container_stats"]!.AsArray().RemoveAt(latest["container_stats"]!.AsArray().Count - 1);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(await AgentClientAsync(server, agent), first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(await AgentClientAsync(server, agent), latest)).StatusCode);

        var text = await ScrapeAsync(server);
        var samples = Parse(text);
        var ms = new DateTimeOffset(at).ToUnixTimeMilliseconds();

        var web = latest["container_stats"]!.AsArray()[0]!;
        var name = web["container_name"]!.GetValue<string>();
        var working = Assert.Single(samples, s => s.Name == "container_memory_working_set_bytes" && s.Labels["name"] == name && s.Labels["agent"] == agent);
        Assert.Equal(web["con_memory_usage"]!.GetValue<double>() * 1024 * 1024, working.Value, 3);
        Assert.Equal(ms, working.Timestamp);
        Assert.Equal(web["container_id"]!.GetValue<string>()[..12], working.Labels["id"]);
        Assert.Equal(web["image"]!.GetValue<string>(), working.Labels["image"]);
        Assert.Equal(4, working.Labels.Count); // few labels: the rest are on stackscope_container_info

        double Of(string metric, string container) => Assert.Single(samples, s => s.Name == metric && s.Labels.GetValueOrDefault("name") == container).Value;
        Assert.Equal(web["con_cpu_usage_ns"]!.GetValue<long>() / 1e9, Of("container_cpu_usage_seconds_total", name), 6);
        Assert.Equal(web["con_memory_limit"]!.GetValue<long>(), Of("container_spec_memory_limit_bytes", name));
        Assert.Equal(web["con_net_rx_bytes"]!.GetValue<long>(), Of("container_network_receive_bytes_total", name));
        Assert.Equal(web["con_block_write_bytes"]!.GetValue<long>(), Of("container_fs_writes_bytes_total", name));
        Assert.Equal(web["con_cpu_percent"]!.GetValue<double>(), Of("stackscope_container_cpu_percent", name));
        Assert.Equal(web["restart_count"]!.GetValue<int>(), Of("stackscope_container_restarts_total", name));
        Assert.Equal(ms / 1000.0, Of("container_last_seen", name));
        var info = Assert.Single(samples, s => s.Name == "stackscope_container_info" && s.Labels["name"] == name);
        Assert.Equal(("docker", web["node_name"]!.GetValue<string>()), (info.Labels["engine"], info.Labels["node"]));
        Assert.Single(samples, s => s.Name == "stackscope_container_state" && s.Labels["name"] == name && s.Labels["state"] == web["status"]!.GetValue<string>());

        // The container missing from the latest report is gone from every series.
        Assert.DoesNotContain(samples, s => s.Labels.GetValueOrDefault("name") == gone);

        // The host, under node_exporter's names, and the agent's own series.
        double Host(string metric) => Assert.Single(samples, s => s.Name == metric && s.Labels["agent"] == agent).Value;
        Assert.Equal(latest["ser_memory_total"]!.GetValue<double>() * 1024 * 1024, Host("node_memory_MemTotal_bytes"));
        Assert.Equal(0.52, Host("node_load1"));
        Assert.Equal(1, Host("stackscope_agent_up"));
        Assert.Equal(ms / 1000.0, Host("stackscope_agent_last_report_timestamp_seconds"));
        var root = Assert.Single(samples, s => s.Name == "node_filesystem_size_bytes" && s.Labels["mountpoint"] == "/");
        Assert.Equal((270_553_174_016.0, "ext4"), (root.Value, root.Labels["fstype"]));

        // The server's own figures follow: one report stored per POST above.
        Assert.True(samples.Any(s => s.Name == "stackscope_server_ingest_reports" && s.Value >= 2),
            string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("container_", StringComparison.Ordinal)).TakeLast(60)));
        Assert.Contains(samples, s => s.Name == "process_cpu_seconds_total");
    }

    [Fact]
    public async Task An_agent_gone_silent_shows_as_down_without_figures()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("silent");
        Assert.Equal(HttpStatusCode.OK, (await Reports.PostAsync(await AgentClientAsync(server, agent), Reports.Full(agent, Truncated(DateTime.UtcNow.AddMinutes(-10))))).StatusCode);

        var samples = Parse(await ScrapeAsync(server));
        Assert.Equal(0, Assert.Single(samples, s => s.Name == "stackscope_agent_up" && s.Labels["agent"] == agent).Value);
        Assert.DoesNotContain(samples, s => s.Name.StartsWith("container_", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("agent") == agent);
    }

    [Fact]
    public async Task Metrics_need_a_read_token()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.RawClient.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        using var agentClient = await AgentClientAsync(server, Reports.NewAgentId("not-a-reader"));
        Assert.Equal(HttpStatusCode.Forbidden, (await agentClient.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Promtool_finds_nothing_wrong_with_the_exposition()
    {
        Assert.True(File.Exists(Promtool.Path), "promtool is not installed: run the tests with scripts/test.sh (Debian's prometheus)");
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("lint");
        await Reports.PostAsync(await AgentClientAsync(server, agent), Reports.Full(agent, Truncated(DateTime.UtcNow.AddSeconds(-5))));

        var text = await ScrapeAsync(server);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        // node_exporter's own names break one lint (camelCase): they are kept as they are, so operators' rules still match.
        var problems = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !NodeExporterCamelCase.Any(n => l == $"{n} metric names should be written in 'snake_case' not 'camelCase'")).ToList();
        Assert.True(problems.Count == 0, $"promtool check metrics (exit {exitCode}):\n{output}");
    }

    [Fact]
    public async Task A_real_prometheus_scraping_the_server_answers_a_containers_working_set_as_reported()
    {
        Assert.True(File.Exists(Prometheus), "prometheus is not installed: run the tests with scripts/test.sh (Debian's prometheus)");
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("scraped");
        var report = Reports.Full(agent, Truncated(DateTime.UtcNow.AddSeconds(-2)));
        await Reports.PostAsync(await AgentClientAsync(server, agent), report);
        var container = report["container_stats"]!.AsArray()[0]!;

        var folder = Directory.CreateTempSubdirectory("ss-prometheus-").FullName;
        var port = Ports.Free();
        var tokenFile = Path.Combine(folder, "token");
        await File.WriteAllTextAsync(tokenFile, await server.Credentials.ReadTokenAsync());
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: stackscope
                metrics_path: /metrics
                authorization:
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ['{server.BaseAddress.Authority}']
            """);
        using var prometheus = new CapturedProcess(CapturedProcess.StartInfo(Prometheus, [$"--config.file={Path.Combine(folder, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}"]));
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        try
        {
            var query = $"/api/v1/query?query={Uri.EscapeDataString($"container_memory_working_set_bytes{{agent=\"{agent}\",name=\"{container["container_name"]}\"}}")}";
            JsonNode? result = null;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    result = JsonNode.Parse(await api.GetStringAsync(new Uri(query, UriKind.Relative)))!["data"]!["result"]!.AsArray().FirstOrDefault();
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                if (result is not null)
                {
                    break;
                }

                await Task.Delay(500);
            }

            Assert.True(result is not null, "Prometheus never had the series; its log:\n" + string.Join('\n', prometheus.Lines.TakeLast(20)));
            var value = double.Parse((string)result!["value"]![1]!, CultureInfo.InvariantCulture);
            Assert.Equal(container["con_memory_usage"]!.GetValue<double>() * 1024 * 1024, value, 3);
            var targets = JsonNode.Parse(await api.GetStringAsync(new Uri("/api/v1/targets", UriKind.Relative)))!["data"]!["activeTargets"]!.AsArray();
            Assert.Equal("up", (string?)Assert.Single(targets)!["health"]);
        }
        finally
        {
            prometheus.Process.Kill(entireProcessTree: true);
            await prometheus.Process.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static DateTime Truncated(DateTime utc) => utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));

    private static async Task<HttpClient> AgentClientAsync(RunningServer server, string agent)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agent));
        return client;
    }

    private static async Task<string> ScrapeAsync(RunningServer server)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.Credentials.ReadTokenAsync());
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return text;
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value, long? Timestamp);

    // Enough of the text format for these tests: name{labels} value [timestamp]; label values here hold no '"' or ','.
    private static List<Sample> Parse(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).Select(line =>
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var close = line.LastIndexOf('}');
        var name = brace < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..brace];
        var labels = brace < 0 ? [] : line[(brace + 1)..close].Split("\",", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split("=\"", 2)).ToDictionary(p => p[0], p => p[1].TrimEnd('"'));
        var rest = line[((brace < 0 ? name.Length : close + 1) + 1)..].Split(' ');
        var value = rest[0] switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, var v => double.Parse(v, CultureInfo.InvariantCulture) };
        return new Sample(name, labels, value, rest.Length > 1 ? long.Parse(rest[1], CultureInfo.InvariantCulture) : null);
    }).ToList();
}
