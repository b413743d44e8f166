using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>
/// Posts reports for a fixed time and prints throughput and latency. Closed loop (N workers, each
/// waiting for its answer) finds the maximum rate; with --rate it is open loop: requests start on a
/// fixed schedule and latency counts from the scheduled start, so a slow server cannot hide its tail
/// by slowing the generator down (no coordinated omission).
/// </summary>
internal static class LoadGenerator
{
    private const int MaxInFlight = 4000;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var url = new Uri(new Uri(args.Require("url")), "/api/v1/monitor-info");
        var seconds = args.Number("seconds", 20);
        var warmup = args.Number("warmup", 3);
        var agents = (int)args.Number("agents", 200);
        var containers = (int)args.Number("containers", 10);
        var concurrency = (int)args.Number("concurrency", 64);
        var rate = args.Number("rate", 0);
        var factory = new ReportFactory(args.Get("run", "b" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture)), agents, containers);
        // ss-server refuses reports without an agent token: issue one per simulated agent in its storage, as
        // `ss-server agent add` would. Absent (the baseline server, Auth:Mode=open): no Authorization header.
        var agentIds = Enumerable.Range(0, agents).Select(i => factory.AgentId(i));
        var tokens = args.Get("tokens-mysql", "") is { Length: > 0 } mysql
            ? await BenchTokens.IssueAsync(StorageProviders.MySql, mysql, agentIds).ConfigureAwait(false)
            : args.Get("tokens-sqlite", "") is { Length: > 0 } sqlite
                ? await BenchTokens.IssueAsync(StorageProviders.Sqlite, $"Data Source={sqlite}", agentIds).ConfigureAwait(false)
                : null;
        Authorization = tokens is null ? null : agent => tokens[agent];
        var serverPid = (int)args.Number("server-pid", 0);

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = rate > 0 ? 1024 : concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        // Warm up in the mode about to be measured, so connections and JIT tiers are settled for it.
        if (warmup > 0 && rate > 0)
        {
            await OpenLoopAsync(client, url, factory, rate, TimeSpan.FromSeconds(warmup), new Stats()).ConfigureAwait(false);
        }
        else if (warmup > 0)
        {
            await ClosedLoopAsync(client, url, factory, concurrency, TimeSpan.FromSeconds(warmup), new Stats()).ConfigureAwait(false);
        }

        var stats = new Stats();
        var rssAtStart = ProcessMemory.RssMiB(serverPid);
        using var rssProbe = serverPid > 0 ? ProcessMemory.Track(serverPid) : null;
        var clock = Stopwatch.StartNew();
        if (rate > 0)
        {
            await OpenLoopAsync(client, url, factory, rate, TimeSpan.FromSeconds(seconds), stats).ConfigureAwait(false);
        }
        else
        {
            await ClosedLoopAsync(client, url, factory, concurrency, TimeSpan.FromSeconds(seconds), stats).ConfigureAwait(false);
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        stats.Print(rate > 0 ? $"open loop at {rate:0} reports/s" : $"closed loop, {concurrency} in flight", elapsed, containers);
        if (rssProbe is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT server_rss_mib start={rssAtStart:0.0} end={ProcessMemory.RssMiB(serverPid):0.0} max={rssProbe.MaxMiB:0.0}"));
            // The last minute may be a few seconds long: left out of the trend.
            var whole = rssProbe.MinuteMaxMiB.SkipLast(1).ToList();
            if (ProcessMemory.Trend(whole) is { } trend)
            {
                Console.WriteLine("RESULT server_rss_mib by minute (peak): " + string.Join(' ', whole.Select(m => m.ToString("0.0", CultureInfo.InvariantCulture))));
                Console.WriteLine("RESULT server_rss_mib trend: " + trend);
            }
        }

        return stats.Errors == 0 ? 0 : 1;
    }

    private static async Task ClosedLoopAsync(HttpClient client, Uri url, ReportFactory factory, int concurrency, TimeSpan duration, Stats stats)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var started = Stopwatch.GetTimestamp();
                var (agent, body) = factory.Next();
                await PostAsync(client, url, agent, body, started, stats).ConfigureAwait(false);
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private static async Task OpenLoopAsync(HttpClient client, Uri url, ReportFactory factory, double rate, TimeSpan duration, Stats stats)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        var inFlight = new ConcurrentDictionary<Task, bool>();
        using var slots = new SemaphoreSlim(MaxInFlight);
        for (long i = 0; i < total; i++)
        {
            var scheduled = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            if (!await slots.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false))
            {
                stats.Error("client: in-flight limit");
                continue;
            }

            var (agent, body) = factory.Next();
            stats.DispatchLag(Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds);
            var task = Task.Run(async () =>
            {
                try
                {
                    await PostAsync(client, url, agent, body, scheduled, stats).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            });
            inFlight[task] = true;
            _ = task.ContinueWith(t => inFlight.TryRemove(t, out bool _), TaskScheduler.Default);
        }

        await Task.WhenAll(inFlight.Keys).ConfigureAwait(false);
    }

    private static Func<string, string>? Authorization { get; set; }

    private static async Task PostAsync(HttpClient client, Uri url, string agent, byte[] body, long startedTimestamp, Stats stats)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (Authorization is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token(agent));
            }

            using var response = await client.SendAsync(request).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var latency = Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds;
            if (response.IsSuccessStatusCode)
            {
                stats.Ok(latency);
            }
            else
            {
                stats.Error(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (HttpRequestException ex)
        {
            stats.Error("client: " + ex.HttpRequestError);
        }
        catch (TaskCanceledException)
        {
            stats.Error("client: timeout");
        }
    }
}
