using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>
/// Query benchmark: seeds N agents x M containers x H hours of 10 s reports through the store (multi-row
/// inserts), then times the dashboard's API calls against a running ss-server on that database.
/// </summary>
internal static class QueryBench
{
    public static async Task<int> SeedAsync(BenchArgs args)
    {
        var storage = StorageSet.Create(new StorageOptions { Provider = StorageProviders.MySql, ConnectionString = args.Require("mysql") }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var agents = (int)args.Number("agents", 50);
        var containers = (int)args.Number("containers", 20);
        var hours = args.Number("hours", 24);
        var end = WireTimestamp.Truncate(DateTime.UtcNow);
        var samples = (int)(hours * 360);
        var clock = Stopwatch.StartNew();
        long rows = 0;
        // Time-major, as agents really send: every agent's report for one instant, then the next instant.
        await Parallel.ForEachAsync(Enumerable.Range(0, samples).Chunk(10), new ParallelOptions { MaxDegreeOfParallelism = 2 }, (chunk, _) =>
        {
            var batch = new List<MonitorReport>();
            foreach (var s in chunk)
            {
                var at = end.AddSeconds(-10 * (samples - 1 - s));
                for (var a = 0; a < agents; a++)
                {
                    batch.Add(Report($"qb-agent-{a:00}", at, s, containers));
                }
            }

            storage.Reports.WriteBatch(batch, DateTime.UtcNow);
            Interlocked.Add(ref rows, batch.Count * (1 + containers));
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SEEDED agents={agents} containers={containers} hours={hours} server_rows={agents * samples} container_rows={(long)agents * samples * containers} seconds={clock.Elapsed.TotalSeconds:0} rows_per_s={rows / clock.Elapsed.TotalSeconds:0}"));
        return 0;
    }

    public static async Task<int> MeasureAsync(BenchArgs args)
    {
        var url = new Uri(args.Require("url"));
        var rounds = (int)args.Number("rounds", 30);
        using var http = new HttpClient { BaseAddress = url };
        if (args.Get("token", "") is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        var now = DateTime.UtcNow;
        string Iso(DateTime t) => Uri.EscapeDataString(t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var calls = new (string Name, string Path)[]
        {
            ("fleet page: agents (size=200)", "/api/v1/agents?size=200"),
            ("host page: containers of an agent", "/api/v1/agents/qb-agent-07/containers?size=200"),
            ("host chart 24 h", $"/api/v1/agents/qb-agent-07/host?from={Iso(now.AddHours(-24))}&to={Iso(now)}"),
            ("container chart 24 h", $"/api/v1/agents/qb-agent-07/containers/app-13/history?from={Iso(now.AddHours(-24))}&to={Iso(now)}"),
            ("search: name=app-1 (latest, all agents)", "/api/v1/containers?name=app-1&size=200"),
            ("container never reported (404)", $"/api/v1/agents/qb-agent-07/containers/zz-never-seen/history?from={Iso(now.AddHours(-24))}&to={Iso(now)}"),
        };
        foreach (var (name, path) in calls)
        {
            var times = new List<double>();
            var points = 0;
            for (var i = 0; i < rounds + 3; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
                {
                    response.EnsureSuccessStatusCode();
                }
                if (i >= 3)
                {
                    times.Add(elapsed); // the first three warm the JIT and the buffer pool
                }

                using var doc = JsonDocument.Parse(body);
                var data = doc.RootElement.GetProperty("data");
                points = data.ValueKind == JsonValueKind.Array ? data.GetArrayLength()
                    : data.ValueKind == JsonValueKind.Object ? data.GetProperty("points").GetArrayLength() : 0;
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT call=\"{name}\" items={points} p50_ms={times[times.Count / 2]:0.0} p95_ms={times[(int)(times.Count * 0.95)]:0.0} max_ms={times[^1]:0.0}"));
        }

        return 0;
    }

    /// <summary>A report of the given number of containers (every tenth exited), each figure a formula of the sample.</summary>
    internal static MonitorReport Report(string agent, DateTime at, int sample, int containers) => new()
    {
        EngineType = EngineTypes.Docker,
        AgentId = agent,
        CpuCount = 8,
        CpuPercent = sample % 100,
        MemoryTotalMiB = 32000,
        MemoryUsedMiB = 8000 + (sample % 1000),
        MemoryPercent = Math.Round((8000 + (sample % 1000)) / 320.0, 2),
        SampledAt = at,
        Containers = Enumerable.Range(0, containers).Select(c => new ContainerStat
        {
            EngineType = EngineTypes.Docker,
            AgentId = agent,
            NodeName = agent,
            ContainerName = $"app-{c:00}",
            Status = c % 10 == 9 ? "exited" : "running",
            SampledAt = at,
            CpuPercent = c % 10 == 9 ? 0 : (sample + c) % 100,
            MemoryUsageMiB = c % 10 == 9 ? 0 : 100 + c,
            MemoryPercent = c % 10 == 9 ? 0 : 0.5,
        }).ToList(),
    };
}
