using System.Diagnostics;
using System.Globalization;
using System.Net;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>
/// <c>/metrics</c> at fleet size: seeds N agents x M containers (two reports each, ten minutes apart, so every agent is
/// up for half an hour) plus one agent with a report of the largest allowed size, then scrapes a running ss-server:
/// sequential plain and gzip scrapes, and 16 scrapes 8 at a time, with the server's CPU time for each from /proc.
/// </summary>
internal static class MetricsBench
{
    private const int BigContainers = 1000;

    public static async Task<int> SeedAsync(BenchArgs args)
    {
        var storage = StorageSet.Create(new StorageOptions { Provider = StorageProviders.MySql, ConnectionString = args.Require("mysql") }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var agents = (int)args.Number("agents", 1000);
        var containers = (int)args.Number("containers", 20);
        var now = WireTimestamp.Truncate(DateTime.UtcNow);
        foreach (var at in new[] { now.AddMinutes(-10), now })
        {
            foreach (var chunk in Enumerable.Range(0, agents).Chunk(100))
            {
                storage.Reports.WriteBatch(chunk.Select(a => Report($"mb-agent-{a:0000}", at, containers, 24)).ToList(), DateTime.UtcNow);
            }

            // One agent whose single report is as large as ingest takes: 1,000 containers with names of 200 characters.
            storage.Reports.WriteBatch([Report("mb-big", at, BigContainers, 200)], DateTime.UtcNow);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SEEDED agents={agents} containers={containers} big_agent_containers={BigContainers}"));
        return 0;
    }

    public static async Task<int> MeasureAsync(BenchArgs args)
    {
        var pid = (int)args.Number("pid", 0);
        var rounds = (int)args.Number("rounds", 5);
        var label = args.Get("label", "server");
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(args.Require("url")) };
        http.Timeout = TimeSpan.FromMinutes(5);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", args.Require("token"));

        async Task<(double Ms, long Bytes, int Lines, bool Gzip)> ScrapeAsync(bool gzip)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            if (gzip)
            {
                request.Headers.AcceptEncoding.ParseAdd("gzip");
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var packed = response.Content.Headers.ContentEncoding.Contains("gzip");
            var lines = packed ? 0 : body.Count(b => b == (byte)'\n');
            return (ms, body.Length, lines, packed);
        }

        await ScrapeAsync(false).ConfigureAwait(false); // warms the JIT and the database's buffers
        foreach (var gzip in new[] { false, true })
        {
            var times = new List<double>();
            var cpu = new List<double>();
            (double Ms, long Bytes, int Lines, bool Gzip) last = default;
            for (var i = 0; i < rounds; i++)
            {
                var before = CpuSeconds(pid);
                last = await ScrapeAsync(gzip).ConfigureAwait(false);
                cpu.Add(CpuSeconds(pid) - before);
                times.Add(last.Ms);
            }

            times.Sort();
            cpu.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT server={label} scrape={(gzip ? "gzip-asked" : "plain")} gzip_sent={last.Gzip} bytes={last.Bytes} lines={last.Lines} " +
                $"p50_ms={times[times.Count / 2]:0} max_ms={times[^1]:0} server_cpu_s_p50={cpu[cpu.Count / 2]:0.00}"));
        }

        // 16 scrapes, 8 at a time, as several Prometheus servers (or a retrying one) would.
        var cpuBefore = CpuSeconds(pid);
        var wall = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(8);
        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                return (await ScrapeAsync(false).ConfigureAwait(false)).Ms;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT server={label} scrape=16x8-concurrent wall_s={wall.Elapsed.TotalSeconds:0.0} max_ms={all.Max():0} server_cpu_s={CpuSeconds(pid) - cpuBefore:0.00} " +
            $"rss_mib={ProcessMemory.RssMiB(pid):0}"));
        return 0;
    }

    // utime + stime of the process, from /proc/PID/stat (clock ticks of 1/100 s on Linux).
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static MonitorReport Report(string agent, DateTime at, int containers, int nameLength) => ReportFactory.Report(agent, at, []) with
    {
        Containers = Enumerable.Range(0, containers).Select(c => new ContainerStat
        {
            EngineType = EngineTypes.Docker,
            AgentId = agent,
            NodeName = agent,
            ContainerName = $"app-{c:0000}-".PadRight(nameLength, 'x'),
            ContainerId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(agent + c))),
            Image = "registry.example.org/team/service:1.2.3",
            Status = c % 10 == 9 ? "exited" : "running",
            SampledAt = at,
            CpuPercent = c % 10 == 9 ? 0 : c % 100,
            MemoryUsageMiB = c % 10 == 9 ? 0 : 100 + c,
            MemoryPercent = c % 10 == 9 ? 0 : 0.5,
            CpuUsageNanos = 1_000_000_000L * c,
            MemoryLimitBytes = 1L << 30,
            NetRxBytes = 1000L * c,
            NetTxBytes = 2000L * c,
            BlockReadBytes = 3000L * c,
            BlockWriteBytes = 4000L * c,
            Pids = 10,
            RestartCount = 0,
        }).ToList(),
    };
}
