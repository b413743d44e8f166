using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>The query API against known seeded history, once per storage provider.</summary>
public abstract class QuerySuite<TDatabase>(SeededFleet<TDatabase> fleet) : IClassFixture<SeededFleet<TDatabase>>
    where TDatabase : TestDatabase, new()
{
    private HttpClient Client => fleet.Server.Client;

    private static string Iso(DateTime utc) => Uri.EscapeDataString(utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    private async Task<JsonObject> GetOkAsync(string path)
    {
        var response = await Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var envelope = JsonNode.Parse(body)!.AsObject();
        Assert.True((bool)envelope["success"]!);
        Assert.Equal("0", (string?)envelope["resultCode"]);
        return envelope;
    }

    [Fact]
    public async Task Agents_show_latest_figures_online_state_counts_and_trend()
    {
        var envelope = await GetOkAsync("/api/v1/agents");
        var agents = envelope["data"]!.AsArray();
        var page = envelope["pageInfo"]!;

        Assert.Equal(2, (int)page["totalCount"]!);
        Assert.Equal(1, (int)page["page"]!);
        Assert.Equal(50, (int)page["size"]!);
        Assert.Equal(1, (int)page["totalPages"]!);

        var online = agents.Single(a => (string?)a!["agentId"] == SeededFleet<TDatabase>.Online)!;
        var last = SeededFleet<TDatabase>.Samples - 1;
        Assert.True((bool)online["online"]!);
        Assert.Equal(10, (int)online["intervalSeconds"]!);
        Assert.Equal(fleet.End.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), (string?)online["lastReportAt"]);
        Assert.Equal(SeededFleet<TDatabase>.HostCpu(last), (double)online["cpuPercent"]!);
        Assert.Equal(SeededFleet<TDatabase>.HostMemoryPercent(last), (double)online["memoryPercent"]!);
        Assert.Equal(4, (int)online["cpuCount"]!);
        Assert.Equal(2, (int)online["containers"]!["running"]!);
        Assert.Equal(1, (int)online["containers"]!["exited"]!);
        var trend = online["cpuTrend"]!.AsArray().Select(v => (double)v!).ToList();
        Assert.Equal(Enumerable.Range(last - 29, 30).Select(SeededFleet<TDatabase>.HostCpu), trend);

        var offline = agents.Single(a => (string?)a!["agentId"] == SeededFleet<TDatabase>.Offline)!;
        Assert.False((bool)offline["online"]!);
        Assert.Equal(1, (int)offline["containers"]!["exited"]!);
    }

    [Fact]
    public async Task Agents_page_through()
    {
        var second = await GetOkAsync("/api/v1/agents?page=2&size=1");

        Assert.Equal(SeededFleet<TDatabase>.Online, (string?)second["data"]![0]!["agentId"]); // qa-offline sorts first
        Assert.Single(second["data"]!.AsArray());
        Assert.Equal(2, (int)second["pageInfo"]!["totalPages"]!);
        Assert.Empty((await GetOkAsync("/api/v1/agents?page=3&size=1"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Host_history_buckets_hold_the_average_and_maximum_of_their_samples()
    {
        var from = fleet.TimeOf(0);
        var data = (await GetOkAsync($"/api/v1/agents/{SeededFleet<TDatabase>.Online}/host?from={Iso(from)}&to={Iso(fleet.End)}&step=60"))["data"]!;
        var points = data["points"]!.AsArray();

        Assert.Equal(60, (int)data["stepSeconds"]!);
        Assert.Equal(SeededFleet<TDatabase>.Samples, points.Sum(p => (int)p!["samples"]!));
        foreach (var point in points)
        {
            var start = DateTime.Parse((string)point!["t"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            var inBucket = Enumerable.Range(0, SeededFleet<TDatabase>.Samples)
                .Where(i => fleet.TimeOf(i) >= start && fleet.TimeOf(i) < start.AddSeconds(60)).ToList();
            Assert.Equal(0, (long)(start - DateTime.UnixEpoch).TotalSeconds % 60);
            Assert.Equal(inBucket.Count, (int)point["samples"]!);
            Assert.Equal(Math.Round(inBucket.Average(SeededFleet<TDatabase>.HostCpu), 2), (double)point["cpuAvg"]!);
            Assert.Equal(inBucket.Max(SeededFleet<TDatabase>.HostCpu), (double)point["cpuMax"]!);
            Assert.Equal(Math.Round(inBucket.Average(SeededFleet<TDatabase>.HostMemoryPercent), 2), (double)point["memoryPercentAvg"]!);
        }
    }

    [Fact]
    public async Task A_week_is_a_few_hundred_points_at_most()
    {
        var data = (await GetOkAsync($"/api/v1/agents/{SeededFleet<TDatabase>.Online}/host?from={Iso(fleet.End.AddDays(-7))}&to={Iso(fleet.End)}"))["data"]!;
        var step = (int)data["stepSeconds"]!;

        Assert.True(7 * 86400 / step <= 300, $"step {step}");
        Assert.Equal(SeededFleet<TDatabase>.Samples, data["points"]!.AsArray().Sum(p => (int)p!["samples"]!));
    }

    [Fact]
    public async Task Agent_containers_carry_the_latest_report()
    {
        var envelope = await GetOkAsync($"/api/v1/agents/{SeededFleet<TDatabase>.Online}/containers");
        var rows = envelope["data"]!.AsArray();
        var last = SeededFleet<TDatabase>.Samples - 1;

        Assert.Equal(3, (int)envelope["pageInfo"]!["totalCount"]!);
        Assert.Equal(["db", "old", "web"], rows.Select(r => (string?)r!["containerName"]));
        var web = rows.Single(r => (string?)r!["containerName"] == "web")!;
        Assert.Equal("running", (string?)web["status"]);
        Assert.Equal(SeededFleet<TDatabase>.WebCpu(last), (double)web["cpuPercent"]!);
        Assert.Equal(100.0 + last, (double)web["memoryUsageMiB"]!);
        Assert.Equal("qa-online-node", (string?)web["nodeName"]);
    }

    [Fact]
    public async Task Container_history_buckets_and_running_share()
    {
        var from = fleet.TimeOf(0);
        var data = (await GetOkAsync($"/api/v1/agents/{SeededFleet<TDatabase>.Online}/containers/web/history?from={Iso(from)}&to={Iso(fleet.End)}&step=300"))["data"]!;
        var points = data["points"]!.AsArray();

        Assert.Equal(SeededFleet<TDatabase>.Samples, points.Sum(p => (int)p!["samples"]!));
        Assert.All(points, p => Assert.Equal((int)p!["samples"]!, (int)p["runningSamples"]!));
        var first = points[0]!;
        var start = DateTime.Parse((string)first["t"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var inBucket = Enumerable.Range(0, SeededFleet<TDatabase>.Samples).Where(i => fleet.TimeOf(i) >= start && fleet.TimeOf(i) < start.AddSeconds(300)).ToList();
        Assert.Equal(Math.Round(inBucket.Average(i => 100.0 + i), 2), (double)first["memoryAvg"]!);
        Assert.Equal(inBucket.Max(i => 100.0 + i), (double)first["memoryMax"]!);

        var old = (await GetOkAsync($"/api/v1/agents/{SeededFleet<TDatabase>.Online}/containers/old/history?from={Iso(from)}&to={Iso(fleet.End)}&step=300"))["data"]!;
        Assert.All(old["points"]!.AsArray(), p => Assert.Equal(0, (int)p!["runningSamples"]!));
    }

    [Theory]
    [InlineData("name=we", "web")]
    [InlineData("name=O", "job,old")]
    [InlineData("name=o", "job,old")]
    [InlineData("status=exited", "job,old")]
    [InlineData("name=d&status=running", "db")]
    [InlineData("name=%25", "")]
    [InlineData("name=_", "")]
    public async Task Search_finds_latest_containers_across_agents(string query, string expected)
    {
        var rows = (await GetOkAsync("/api/v1/containers?" + query))["data"]!.AsArray();
        Assert.Equal(expected, string.Join(',', rows.Select(r => (string?)r!["containerName"]).Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("/api/v1/agents/nobody/host", 404, ResultCodes.UnknownAgent, "agentId")]
    [InlineData("/api/v1/agents/nobody/containers", 404, ResultCodes.UnknownAgent, "agentId")]
    [InlineData("/api/v1/agents/bad%20id/host", 400, ResultCodes.InvalidParameter, "agentId")]
    [InlineData("/api/v1/agents/qa-online/containers/nothere/history", 404, ResultCodes.UnknownAgent, "containerName")]
    [InlineData("/api/v1/agents/qa-online/host?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", 400, ResultCodes.InvalidParameter, "from: must not be after to")]
    [InlineData("/api/v1/agents/qa-online/host?from=2015-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", 400, ResultCodes.InvalidParameter, "from: range is")]
    [InlineData("/api/v1/agents/qa-online/host?from=yesterday", 400, ResultCodes.InvalidParameter, "from: 'yesterday' is not a time")]
    [InlineData("/api/v1/agents/qa-online/host?to=2026-13-01", 400, ResultCodes.InvalidParameter, "to:")]
    [InlineData("/api/v1/agents/qa-online/host?from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z&step=10", 400, ResultCodes.InvalidParameter, "step:")]
    [InlineData("/api/v1/agents/qa-online/host?step=abc", 400, ResultCodes.InvalidParameter, "step:")]
    [InlineData("/api/v1/agents/qa-online/host?to=0001-01-01T00:30:00Z", 400, ResultCodes.InvalidParameter, "to: 0001-01-01T00:30:00Z is outside")]
    [InlineData("/api/v1/agents/qa-online/containers/web/history?to=0001-01-01T00:30:00Z", 400, ResultCodes.InvalidParameter, "to: 0001-01-01T00:30:00Z is outside")]
    [InlineData("/api/v1/agents/qa-online/host?from=9999-12-31T23:59:59Z", 400, ResultCodes.InvalidParameter, "from: 9999-12-31T23:59:59Z is outside")]
    [InlineData("/api/v1/agents/qa-online/host?to=1999-12-31T23:00:00Z", 400, ResultCodes.InvalidParameter, "to: 1999-12-31T23:00:00Z is outside")]
    [InlineData("/api/v1/agents?size=500", 400, ResultCodes.InvalidParameter, "size: must be a whole number from 1 to 200")]
    [InlineData("/api/v1/agents?page=0", 400, ResultCodes.InvalidParameter, "page:")]
    [InlineData("/api/v1/containers?status=RUNNING", 400, ResultCodes.InvalidParameter, "status:")]
    public async Task Bad_parameters_are_refused_naming_the_parameter(string path, int status, string code, string fragment) =>
        await Envelope.AssertErrorAsync(await Client.GetAsync(path), (HttpStatusCode)status, code, fragment);

    [Fact]
    public async Task OpenAPI_document_lists_every_endpoint()
    {
        var response = await Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject().Select(p => p.Key).ToList();

        foreach (var path in new[] { "/api/v1/monitor-info", "/api/v1/agents", "/api/v1/agents/{agentId}/host", "/api/v1/agents/{agentId}/containers",
                     "/api/v1/agents/{agentId}/containers/{containerName}/history", "/api/v1/containers" })
        {
            Assert.Contains(path, paths);
        }
    }

    [Fact]
    public async Task Dashboard_is_served_with_every_asset_from_the_server()
    {
        var html = await Client.GetStringAsync("/");
        Assert.Contains("<script src=\"app.js\">", html, StringComparison.Ordinal);
        foreach (var asset in new[] { "/", "/app.js", "/app.css" })
        {
            var text = await Client.GetStringAsync(asset);
            Assert.DoesNotContain("http://", text.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        }
    }
}

public sealed class SqliteQueryTests(SeededFleet<SqliteTestDatabase> fleet) : QuerySuite<SqliteTestDatabase>(fleet);

public sealed class MariaDbQueryTests(SeededFleet<MariaDbTestDatabase> fleet) : QuerySuite<MariaDbTestDatabase>(fleet);
