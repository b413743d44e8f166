using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StackScope.Contracts;

namespace StackScope.Bench.Ingest;

/// <summary>
/// Alert evaluation under fleet load: agents report live (sample time = now) at their interval in open
/// loop; every tenth agent (--hot-every) crosses a host CPU rule once (one report at 99.9 %, the next at 12.5 %), giving
/// one firing and one resolved notice each. A webhook receiver here measures sample time to receipt, and the server's CPU time
/// over the run is read from /proc, to compare with a run that has alerts off.
///   ingest-bench alerts --url URL --server-pid PID [--agents 1000] [--containers 20] [--interval 10] [--seconds 120] [--warmup 20]
///                      [--hot-every 10 (0: none)] [--hook-port 5199]
/// </summary>
internal static class AlertBench
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var url = new Uri(new Uri(args.Require("url")), "/api/v1/monitor-info");
        var agents = (int)args.Number("agents", 1000);
        var containers = (int)args.Number("containers", 20);
        var interval = args.Number("interval", 10);
        var seconds = args.Number("seconds", 120);
        var serverPid = (int)args.Number("server-pid", 0);
        var run = args.Get("run", "al" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        var latencies = new ConcurrentBag<(string Kind, double Seconds)>();
        await using var hook = await StartReceiverAsync((int)args.Number("hook-port", 5199), latencies);

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromSeconds(30) };
        var rate = agents / interval;
        var total = (long)(rate * seconds);
        var rounds = (int)(total / agents);
        // The round in which each agent is hot: spread over the run, away from its ends.
        var hotEvery = (int)args.Number("hot-every", 10);
        // --hot-every 0: no agent crosses the rule, so the CPU figure is the evaluation's alone, without notices.
        var hot = hotEvery > 0 ? (agents + hotEvery - 1) / hotEvery : 0;
        var hotRound = Enumerable.Range(0, agents).Select(i => hotEvery > 0 && i % hotEvery == 0 ? 2 + (i / hotEvery % Math.Max(1, rounds - 4)) : -1).ToArray();
        // CPU is counted after a warm-up (JIT, pools, first reads of each agent), as a long-running server spends it.
        var warmup = (long)(rate * args.Number("warmup", 20));
        var cpuBefore = double.NaN;
        long measuredFrom = 0;
        var start = Stopwatch.GetTimestamp();
        var ok = 0L;
        var failed = 0L;
        var inFlight = new List<Task>();
        for (long i = 0; i < total; i++)
        {
            var scheduled = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            if (i == warmup)
            {
                cpuBefore = CpuSeconds(serverPid);
                measuredFrom = Stopwatch.GetTimestamp();
            }

            var agent = (int)(i % agents);
            var round = (int)(i / agents);
            var body = Report($"{run}-{agent}", containers, round == hotRound[agent] ? 99.9 : 12.5);
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await client.PostAsync(url, content).ConfigureAwait(false);
                    Interlocked.Increment(ref response.IsSuccessStatusCode ? ref ok : ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }));
            if (inFlight.Count > 2000)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(measuredFrom).TotalSeconds;
        var cpu = CpuSeconds(serverPid) - cpuBefore;
        var expected = hot * 2;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (latencies.Count < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500).ConfigureAwait(false);
        }

        var all = latencies.Select(l => l.Seconds).Order().ToList();
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT alerts load: {agents} agents x {containers} containers every {interval} s = {rate:0} reports/s for {elapsed:0} s; {ok} stored, {failed} failed"));
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT alerts server cpu (after the warm-up): {cpu:0.0} s over {elapsed:0} s = {100 * cpu / elapsed:0.0} % of one core"));
        if (all.Count > 0)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT alerts notices: {latencies.Count(l => l.Kind == "firing")} firing, {latencies.Count(l => l.Kind == "resolved")} resolved of {hot} each; sample time to webhook p50 {Pct(all, 0.5):0.00} s, p99 {Pct(all, 0.99):0.00} s, max {all[^1]:0.00} s"));
        }
        else
        {
            Console.WriteLine("RESULT alerts notices: none received");
        }

        return 0;
    }

    private static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static double CpuSeconds(int pid)
    {
        if (pid <= 0 || !File.Exists($"/proc/{pid}/stat"))
        {
            return double.NaN;
        }

        // Fields 14 and 15 (utime, stime) in clock ticks; the name in field 2 may hold spaces, so count from its ')'.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static byte[] Report(string agent, int containers, double hostCpu)
    {
        // Live: the wire's whole seconds, as an agent stamps its sample.
        var now = DateTime.UtcNow;
        var time = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        // Under 40 % CPU (the rules' thresholds are above), none exited: only the host CPU rule fires.
        var list = ReportFactory.Containers(agent, time, containers, exitedEvery: 0)
            .Select((c, i) => c with { CpuPercent = Math.Round(i * 1.37 % 40, 2), RestartCount = 0, Pids = 4 + i }).ToArray();

        return JsonSerializer.SerializeToUtf8Bytes(ReportFactory.Report(agent, time, list) with
        {
            CpuPercent = hostCpu,
            Load1 = 0.5,
            FileSystems = [new FileSystemStat { MountPoint = "/", FsType = "ext4", TotalBytes = 100_000_000_000, UsedBytes = 40_000_000_000 }],
        }, ContractsJsonContext.Default.MonitorReport);
    }

    private static async Task<WebApplication> StartReceiverAsync(int port, ConcurrentBag<(string, double)> latencies)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            var received = DateTime.UtcNow;
            var notice = (await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false))!;
            if ((string?)notice["kind"] is "firing" or "resolved" && (string?)notice["rule"] == "bench-host-cpu")
            {
                var at = DateTime.Parse((string)notice["at"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
                latencies.Add(((string)notice["kind"]!, (received - at).TotalSeconds));
            }

            return Results.Ok();
        });
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }
}

/// <summary>
/// The evaluator's engine alone, in process: the same fleet's samples stepped through the same rules, to tell its
/// share of the evaluation cost from the database reads'.
///   ingest-bench alerts-engine [--agents 1000] [--containers 20] [--rounds 12]
/// </summary>
internal static class AlertEngineBench
{
    public static int Run(BenchArgs args)
    {
        var agents = (int)args.Number("agents", 1000);
        var containers = (int)args.Number("containers", 20);
        var rounds = (int)args.Number("rounds", 12);
        var rules = StackScope.Server.Alerts.DefaultRules.All.ToList();
        for (var i = 1; i <= 10; i++)
        {
            rules.Add(StackScope.Server.Alerts.RuleParser.ParseOne($"{{name: cpu-{i}, kind: metric, metric: container.cpu_percent, threshold: {200 + i}, window: 1m, for: 2m}}"));
            rules.Add(StackScope.Server.Alerts.RuleParser.ParseOne($"{{name: mem-{i}, kind: metric, metric: container.memory_percent, threshold: {80 + i}, window: 5m, aggregate: max, for: 5m}}"));
        }

        var engine = new StackScope.Server.Alerts.AlertEngine(new StackScope.Server.Alerts.AlertOptions());
        engine.SetRules(rules);
        var t0 = DateTime.UtcNow.AddSeconds(-10 * rounds);
        var clock = Stopwatch.StartNew();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < rounds; round++)
        {
            for (var a = 0; a < agents; a++)
            {
                var at = t0.AddSeconds(10 * round);
                var list = new StackScope.Server.Alerts.ContainerPoint[containers];
                for (var c = 0; c < containers; c++)
                {
                    list[c] = new StackScope.Server.Alerts.ContainerPoint($"app-{c:00}", "running", c * 1.37 % 40, (20 + (c * 3.3)) / 19.56, 20 + (c * 3.3))
                    {
                        RestartCount = 0,
                        Pids = 4 + c,
                    };
                }

                var sample = new StackScope.Server.Alerts.AgentSample(new StackScope.Server.Alerts.HostPoint(at, at.AddSeconds(1), 12.5, 29.09),
                    list, [new StackScope.Server.Alerts.DiskPoint("/", 40)]);
                engine.Process($"agent-{a}", [sample], [], at.AddSeconds(1));
            }

            engine.TakeDirty();
        }

        var reports = agents * rounds;
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT alerts engine: {reports} reports x {containers} containers x {rules.Count} rules in {clock.Elapsed.TotalSeconds:0.00} s = {1000 * clock.Elapsed.TotalSeconds / reports:0.000} ms per report, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / reports / 1024.0:0.0} KiB allocated per report"));
        return 0;
    }
}
