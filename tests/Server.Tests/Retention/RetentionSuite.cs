using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackScope.Contracts;
using StackScope.Server.Retention;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Retention;

/// <summary>
/// Forty days of history per provider: one maintenance run must keep raw rows only within retention, roll every bucket
/// into the 5-minute and hour tiers with the min/avg/max the raw rows give, answer long histories from the tiers, and
/// recompute exactly the buckets a late report touched.
/// </summary>
public abstract class RetentionSuite<TDatabase> : IAsyncLifetime where TDatabase : TestDatabase, new()
{
    private const double Tolerance = 1e-9;

    protected TDatabase Database { get; } = new();

    protected RunningServer Server { get; private set; } = null!;

    protected RetentionHistory History { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        History = new RetentionHistory(DateTime.UtcNow);
        await History.SeedAsync(Database);
        // The job runs when the test says (ss-server maintenance run's path), not on the server's own schedule.
        Server = await RunningServer.StartAsync(Database, new Dictionary<string, string?> { ["Retention:Enabled"] = "false", ["Retention:DeleteChunkRows"] = "2000" });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }

    private Task<MaintenanceResult> RunMaintenanceAsync() => Maintenance.RunAsync(Server);

    [Fact]
    public async Task Forty_days_roll_up_into_both_tiers_with_raw_min_avg_max_and_raw_rows_expire()
    {
        var result = await RunMaintenanceAsync();
        var cutoff = DateTime.UtcNow.Date.AddDays(-7);

        // Raw rows only within retention, every one of them still there.
        var kept = Enumerable.Range(0, History.Count).Count(i => History.TimeOf(i) >= cutoff);
        Assert.Equal(RetentionHistory.Agents.Length * kept, await Database.CountAllAsync("server"));
        Assert.Equal(RetentionHistory.Agents.Length * RetentionHistory.ContainerNames.Length * kept, await Database.CountAllAsync("container"));
        Assert.True(result.RawRowsExpired > 0, "raw rows expired");
        if (Database.Provider == "sqlite")
        {
            // Deleted pages go back to the file system (incremental vacuum), not only to SQLite's free list.
            Assert.True(result.BytesReclaimed > 1_000_000, $"reclaimed {result.BytesReclaimed} bytes");
            Assert.Equal(0L, Convert.ToInt64((await Database.QueryAsync("PRAGMA freelist_count"))[0].Values.Single(), CultureInfo.InvariantCulture));
        }

        // The tiers cover the whole 40 days, each bucket equal to what the raw rows give.
        foreach (var agent in RetentionHistory.Agents)
        {
            await AssertHostTierAsync("server_5m", agent, History.HostBuckets(agent, 300));
            await AssertHostTierAsync("server_1h", agent, History.HostBuckets(agent, 3600));
            foreach (var name in RetentionHistory.ContainerNames)
            {
                await AssertContainerTierAsync("container_5m", agent, name, History.ContainerBuckets(name, 300));
                await AssertContainerTierAsync("container_1h", agent, name, History.ContainerBuckets(name, 3600));
            }
        }

        // A second run with nothing new changes nothing.
        var before = await TierRowsAsync();
        await RunMaintenanceAsync();
        Assert.Equal(before, await TierRowsAsync());
    }

    [Fact]
    public async Task Long_histories_answer_from_the_tier_their_step_and_range_call_for_with_the_raw_figures()
    {
        await RunMaintenanceAsync();
        var to = History.End;
        var agent = RetentionHistory.Agents[0];

        // 30 days at 45-minute steps: the 5-minute tier.
        var from = to.AddDays(-30);
        var month = await HistoryAsync($"/api/v1/agents/{agent}/host?from={Iso(from)}&to={Iso(to)}&step=2700");
        Assert.Equal("5m", (string?)month["tier"]);
        AssertPoints(month, Expected(i => RetentionHistory.HostCpu(agent, i), from, to, 300, 2700));

        // A year of a container, the step chosen by the server: the hour tier.
        var year = await HistoryAsync($"/api/v1/agents/{agent}/containers/web/history?from={Iso(to.AddDays(-365))}&to={Iso(to)}");
        Assert.Equal("1h", (string?)year["tier"]);
        var step = (int)year["stepSeconds"]!;
        Assert.Equal(0, step % 3600);
        AssertPoints(year, Expected(i => RetentionHistory.ContainerCpu("web", i), to.AddDays(-365), to, 3600, step));

        // Short steps within raw retention read raw rows; reaching back past it, the 5-minute tier (and its step).
        var week = await HistoryAsync($"/api/v1/agents/{agent}/host?from={Iso(to.AddDays(-2))}&to={Iso(to)}&step=240");
        Assert.Equal("raw", (string?)week["tier"]);
        var old = await HistoryAsync($"/api/v1/agents/{agent}/host?from={Iso(to.AddDays(-10))}&to={Iso(to.AddDays(-9))}&step=150");
        Assert.Equal("5m", (string?)old["tier"]);
        Assert.Equal(300, (int)old["stepSeconds"]!);
        AssertPoints(old, Expected(i => RetentionHistory.HostCpu(agent, i), to.AddDays(-10), to.AddDays(-9), 300, 300));
    }

    [Fact]
    public async Task A_late_report_changes_its_buckets_and_nothing_else()
    {
        await RunMaintenanceAsync();
        var before = await TierRowsAsync();

        // Three days back, between two samples of agent a, with a host CPU no sample had (they reach 99.9).
        var agent = RetentionHistory.Agents[0];
        var i = History.Count - (3 * 24 * 3600 / RetentionHistory.IntervalSeconds);
        var late = History.TimeOf(i).AddSeconds(60);
        var body = JsonSerializer.Serialize(RetentionHistory.Report(agent, late, i, cpuOverride: 99.95), ContractsJsonContext.Default.MonitorReport);
        var response = await Reports.PostAsync(Server.Client, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await RunMaintenanceAsync();
        var after = await TierRowsAsync();
        var five = Epoch(late) / 300 * 300;
        var hour = Epoch(late) / 3600 * 3600;
        var changed = after.Except(before).ToList();
        var expectedKeys = new[]
        {
            $"server_5m|{agent}|{five}", $"server_1h|{agent}|{hour}",
            $"container_5m|{agent}|{agent}-node|web|{five}", $"container_5m|{agent}|{agent}-node|db|{five}",
            $"container_1h|{agent}|{agent}-node|web|{hour}", $"container_1h|{agent}|{agent}-node|db|{hour}",
        };
        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), changed.Select(Key).Order(StringComparer.Ordinal));
        Assert.Equal(before.Count, after.Count);
        Assert.Contains("|cpu_max=99.95|", changed.Single(r => Key(r) == $"server_5m|{agent}|{five}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_storage_answer_shows_rows_bytes_oldest_growth_and_the_last_run_per_table()
    {
        var result = await RunMaintenanceAsync();
        var storage = (await HistoryAsync("/api/v1/storage")).AsObject();
        Assert.Equal(Database.Provider, (string?)storage["provider"]);
        Assert.Equal(7, (int)storage["retention"]!["rawDays"]!);
        Assert.Equal(result.FiveMinuteRows, (int)storage["lastRun"]!["fiveMinuteRows"]!);
        var tables = storage["tables"]!.AsArray().ToDictionary(t => (string)t!["table"]!, t => t!.AsObject());
        Assert.Equal(["container", "container_1h", "container_5m", "container_event", "server", "server_1h", "server_5m", "server_filesystem"],
            tables.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tier) in new[] { ("server", "raw"), ("container", "raw"), ("server_5m", "5m"), ("container_1h", "1h") })
        {
            var table = tables[name];
            Assert.Equal(tier, (string?)table["tier"]);
            Assert.True((long)table["rows"]! > 0, name);
            Assert.True((long)table["bytes"]! > 0, name);
        }

        // Oldest data: raw from the retention cutoff on, the tiers from the first seeded day.
        var rawOldest = DateTime.Parse((string)tables["server"]["oldest"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.True(rawOldest >= DateTime.UtcNow.Date.AddDays(-7) && rawOldest < DateTime.UtcNow.Date.AddDays(-6), $"raw oldest {rawOldest:O}");
        var tierOldest = DateTime.Parse((string)tables["server_1h"]["oldest"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.Equal(History.Start.AddSeconds(-(Epoch(History.Start) % 3600)), tierOldest);
        // The tiers grew by a day of buckets in the last day: two agents' 24 hour rows.
        var perRow = (double)(long)tables["server_1h"]["bytes"]! / (long)tables["server_1h"]["rows"]!;
        Assert.InRange((long)tables["server_1h"]["growthBytesPerDay"]!, (long)(perRow * 2 * 23), (long)(perRow * 2 * 25) + 1);
    }

    private async Task AssertHostTierAsync(string table, string agent, IReadOnlyDictionary<long, BucketFigures> expected)
    {
        var rows = (await Database.QueryAsync($"SELECT bucket_start, samples, cpu_min, cpu_avg, cpu_max, mem_used_avg, mem_used_max FROM {table} WHERE agent_id = @a",
            ("@a", agent))).ToDictionary(r => Convert.ToInt64(r["bucket_start"], CultureInfo.InvariantCulture));
        Assert.Equal(expected.Keys.Order(), rows.Keys.Order());
        foreach (var (bucket, want) in expected)
        {
            var row = rows[bucket];
            Assert.Equal(want.Samples, Convert.ToInt32(row["samples"], CultureInfo.InvariantCulture));
            Assert.Equal(want.CpuMin, Convert.ToDouble(row["cpu_min"], CultureInfo.InvariantCulture));
            Assert.Equal(want.CpuMax, Convert.ToDouble(row["cpu_max"], CultureInfo.InvariantCulture));
            Assert.Equal(want.CpuAvg, Convert.ToDouble(row["cpu_avg"], CultureInfo.InvariantCulture), Tolerance);
            Assert.Equal(want.MemoryAvg, Convert.ToDouble(row["mem_used_avg"], CultureInfo.InvariantCulture), Tolerance);
            Assert.Equal(want.MemoryMax, Convert.ToDouble(row["mem_used_max"], CultureInfo.InvariantCulture));
        }
    }

    private async Task AssertContainerTierAsync(string table, string agent, string name, IReadOnlyDictionary<long, BucketFigures> expected)
    {
        var rows = (await Database.QueryAsync(
                $"SELECT bucket_start, samples, running_samples, cpu_min, cpu_avg, cpu_max, mem_avg, mem_max FROM {table} WHERE agent_id = @a AND container_name = @n",
                ("@a", agent), ("@n", name)))
            .ToDictionary(r => Convert.ToInt64(r["bucket_start"], CultureInfo.InvariantCulture));
        Assert.Equal(expected.Keys.Order(), rows.Keys.Order());
        foreach (var (bucket, want) in expected)
        {
            var row = rows[bucket];
            Assert.Equal(want.Samples, Convert.ToInt32(row["samples"], CultureInfo.InvariantCulture));
            Assert.Equal(want.Running, Convert.ToInt32(row["running_samples"], CultureInfo.InvariantCulture));
            Assert.Equal(want.CpuMin, Convert.ToDouble(row["cpu_min"], CultureInfo.InvariantCulture));
            Assert.Equal(want.CpuMax, Convert.ToDouble(row["cpu_max"], CultureInfo.InvariantCulture));
            Assert.Equal(want.CpuAvg, Convert.ToDouble(row["cpu_avg"], CultureInfo.InvariantCulture), Tolerance);
            Assert.Equal(want.MemoryAvg, Convert.ToDouble(row["mem_avg"], CultureInfo.InvariantCulture), Tolerance);
            Assert.Equal(want.MemoryMax, Convert.ToDouble(row["mem_max"], CultureInfo.InvariantCulture));
        }
    }

    private Task<HashSet<string>> TierRowsAsync() => TierSnapshot.ReadAsync(Database);

    private static string Key(string line) => TierSnapshot.Key(line);

    private async Task<JsonObject> HistoryAsync(string path)
    {
        var response = await Server.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!["data"]!.AsObject();
    }

    /// <summary>(bucket start, avg, max) of the samples in the tier buckets from the one holding <paramref name="from"/> to the one holding <paramref name="to"/>, by step.</summary>
    private List<(long Start, double Avg, double Max, int Samples)> Expected(Func<int, double> cpu, DateTime from, DateTime to, int tierSeconds, int step)
    {
        // A tier bucket is whole: the last one starts at or before to and holds its samples after to as well.
        var first = Epoch(from) / tierSeconds * tierSeconds;
        return Enumerable.Range(0, History.Count).Where(i => Epoch(History.TimeOf(i)) / tierSeconds * tierSeconds >= first
                && Epoch(History.TimeOf(i)) / tierSeconds * tierSeconds <= Epoch(to))
            .GroupBy(i => Epoch(History.TimeOf(i)) / step * step).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Average(cpu), g.Max(cpu), g.Count())).ToList();
    }

    private static void AssertPoints(JsonObject history, List<(long Start, double Avg, double Max, int Samples)> expected)
    {
        var points = history["points"]!.AsArray();
        Assert.Equal(expected.Count, points.Count);
        for (var p = 0; p < expected.Count; p++)
        {
            var point = points[p]!;
            Assert.Equal(expected[p].Start, Epoch(DateTime.Parse((string)point["t"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)));
            // The answer rounds to 2 decimals; a weighted average may land either side of a .xx5.
            var avg = expected[p].Avg;
            var max = Math.Round(expected[p].Max, 2, MidpointRounding.AwayFromZero);
            Assert.True(Math.Abs(avg - (double)point["cpuAvg"]!) < 0.0051 && max == (double)point["cpuMax"]!,
                $"point {p} of {expected.Count} at {point["t"]}: expected avg {avg} max {max} ({expected[p].Samples} samples), got {point.ToJsonString()}");
        }
    }

    private static long Epoch(DateTime utc) => (long)(utc - DateTime.UnixEpoch).TotalSeconds;

    private static string Iso(DateTime utc) => Uri.EscapeDataString(utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
}

public sealed class SqliteRetentionTests : RetentionSuite<SqliteTestDatabase>;

public sealed class MariaDbRetentionTests : RetentionSuite<MariaDbTestDatabase>;
