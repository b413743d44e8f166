using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using MySqlConnector;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Metrics;

/// <summary>
/// What one scrape may cost: gzip when the scraper asks, never cached; one agent's containers bounded (running first,
/// the rest counted); a name reported on two nodes without ids still one series each; and scrapes at once sharing one
/// rendering (held back by a table lock on MariaDB, so they surely overlap).
/// </summary>
public sealed class MetricsScrapeLimitsTests
{
    private static async Task<HttpClient> ClientAsync(RunningServer server, bool agentToken, string agent = "")
    {
        var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            agentToken ? await server.Credentials.AgentTokenAsync(agent) : await server.Credentials.ReadTokenAsync());
        return client;
    }

    private static IEnumerable<string> Series(string text, string metric) =>
        text.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal)).Select(l => l[..(l.LastIndexOf('}') + 1)]);

    private static double Value(string text, string metric) =>
        text.Split('\n').Where(l => l.StartsWith(metric + " ", StringComparison.Ordinal) || l.StartsWith(metric + "{", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.Contains('}', StringComparison.Ordinal) ? l.LastIndexOf('}') + 1 : metric.Length)..].Trim().Split(' ')[0],
                CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Sum();

    [Fact]
    public async Task One_agent_adds_a_bounded_part_every_series_is_unique_and_gzip_is_sent_when_asked()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Metrics:MaxContainersPerAgent"] = "10" });
        var agent = Reports.NewAgentId("cap");
        using var agentClient = await ClientAsync(server, agentToken: true, agent);
        var report = Reports.WithContainerNames(Reports.Full(agent, DateTime.UtcNow.AddSeconds(-5)), [.. Enumerable.Range(0, 30).Select(i => $"c{i:00}")]);
        var containers = report["container_stats"]!.AsArray();
        for (var i = 0; i < containers.Count; i++)
        {
            containers[i]!["status"] = i % 2 == 0 ? "exited" : "running";
            containers[i]!.AsObject().Remove("container_id");
        }

        // The same name on a second node (another engine of the host), also without an id.
        var twin = containers[1]!.DeepClone();
        twin["node_name"] = "second-node";
        containers.Add(twin);
        var answer = await Reports.PostAsync(agentClient, report);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());

        using var reader = await ClientAsync(server, agentToken: false);
        using var plain = await reader.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await plain.Content.ReadAsStringAsync();
        Assert.Equal("no-store", plain.Headers.CacheControl?.ToString());
        Assert.Empty(plain.Content.Headers.ContentEncoding);

        // Ten of the agent's 31 containers, all running ones (16 of them: c01's twin too), the rest counted.
        var names = Series(text, "container_last_seen").Where(s => s.Contains(agent, StringComparison.Ordinal)).ToList();
        Assert.Equal(10, names.Count);
        Assert.Equal(21, Value(text, $"stackscope_agent_containers_omitted{{agent=\"{agent}\"}}"));
        Assert.All(Series(text, "stackscope_container_state").Where(s => s.Contains(agent, StringComparison.Ordinal)),
            s => Assert.Contains("state=\"running\"", s, StringComparison.Ordinal));
        // c01 twice, told apart by node; no series appears twice in any family.
        Assert.Equal(2, names.Count(n => n.Contains("name=\"c01\"", StringComparison.Ordinal)));
        Assert.Contains(names, n => n.Contains("node=\"second-node\"", StringComparison.Ordinal));
        var lines = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l[..(l.LastIndexOf('}') + 1)]).Where(l => l.Length > 0).ToList();
        Assert.Equal(lines.Count, lines.Distinct(StringComparer.Ordinal).Count());
        // promtool's only remark may be node_exporter's own camelCase names, kept on purpose.
        var (_, output) = await Promtool.CheckMetricsAsync(text);
        Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains("camelCase", l, StringComparison.Ordinal));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var packed = await reader.SendAsync(request);
        Assert.Equal(["gzip"], packed.Content.Headers.ContentEncoding);
        var bytes = await packed.Content.ReadAsByteArrayAsync();
        using var unpacked = new StreamReader(new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress));
        var unzipped = await unpacked.ReadToEndAsync();
        Assert.Equal(Series(text, "container_last_seen"), Series(unzipped, "container_last_seen"));
        Assert.True(bytes.Length * 3 < unzipped.Length, $"{bytes.Length} bytes packed, {unzipped.Length} unpacked");
    }

    [Fact]
    public async Task Scrapes_at_once_share_one_rendering()
    {
        await using var database = new MariaDbTestDatabase();
        await database.InitializeAsync();
        await using var server = await RunningServer.StartAsync(database);
        var agent = Reports.NewAgentId("share");
        using var agentClient = await ClientAsync(server, agentToken: true, agent);
        Assert.True((await Reports.PostAsync(agentClient, Reports.Full(agent, DateTime.UtcNow.AddSeconds(-5)))).IsSuccessStatusCode);
        using var reader = await ClientAsync(server, agentToken: false);
        var before = Value(await reader.GetStringAsync(new Uri("/metrics", UriKind.Relative)), "stackscope_server_metrics_renderings");

        // The fleet query waits behind a write lock on the server table while eight scrapes arrive.
        await using var locker = new MySqlConnection(database.ConnectionString);
        await locker.OpenAsync();
        await using (var command = new MySqlCommand("LOCK TABLES server WRITE", locker))
        {
            await command.ExecuteNonQueryAsync();
        }

        var scrapes = Enumerable.Range(0, 8).Select(_ => reader.GetStringAsync(new Uri("/metrics", UriKind.Relative))).ToList();
        await Task.Delay(1500);
        Assert.All(scrapes, s => Assert.False(s.IsCompleted));
        await using (var command = new MySqlCommand("UNLOCK TABLES", locker))
        {
            await command.ExecuteNonQueryAsync();
        }

        var bodies = await Task.WhenAll(scrapes);
        Assert.Single(bodies.Distinct(StringComparer.Ordinal));
        Assert.Contains(agent, bodies[0], StringComparison.Ordinal);
        var after = Value(await reader.GetStringAsync(new Uri("/metrics", UriKind.Relative)), "stackscope_server_metrics_renderings");
        Assert.Equal(before + 2, after); // the eight's one, and this scrape's own
    }
}
