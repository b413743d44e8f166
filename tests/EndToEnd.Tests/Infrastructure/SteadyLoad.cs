using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Reports at a steady rate from synthetic agents, each report sent once (no retry), recording which the server
/// acknowledged with 200. The fault tests check every acknowledged report is stored. Stops by itself after
/// <c>maxSeconds</c> whatever the test does.
/// </summary>
public sealed class SteadyLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private readonly HttpClient _client;

    private SteadyLoad(Uri server, IReadOnlyDictionary<string, string> tokens, int perSecond, int maxSeconds)
    {
        _client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
        _stop = new CancellationTokenSource(TimeSpan.FromSeconds(maxSeconds));
        _loop = Task.Run(() => RunAsync(tokens, perSecond, _stop.Token));
    }

    public ConcurrentBag<(string Agent, string Time)> Acknowledged { get; } = [];

    public ConcurrentDictionary<string, int> Outcomes { get; } = new();

    public int Sent => Outcomes.Values.Sum();

    public static SteadyLoad Start(Uri server, IReadOnlyDictionary<string, string> tokens, int perSecond, int maxSeconds = 180) =>
        new(server, tokens, perSecond, maxSeconds);

    private async Task RunAsync(IReadOnlyDictionary<string, string> tokens, int perSecond, CancellationToken stop)
    {
        var agents = tokens.Keys.ToArray();
        // Sample times an hour back, one second apart per agent: unique, and never in the server's future.
        var start = DateTime.UtcNow.AddHours(-1);
        var next = agents.ToDictionary(a => a, _ => start.AddTicks(-(start.Ticks % TimeSpan.TicksPerSecond)));
        var inFlight = new SemaphoreSlim(64);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var due = (long)(clock.Elapsed.TotalSeconds * perSecond);
                while (sent < due && !stop.IsCancellationRequested)
                {
                    var agent = agents[sent++ % agents.Length];
                    var time = next[agent];
                    next[agent] = time.AddSeconds(1);
                    await inFlight.WaitAsync(stop);
                    _ = SendAsync(agent, tokens[agent], time).ContinueWith(_ => inFlight.Release(), TaskScheduler.Default);
                }

                await Task.Delay(10, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        for (var i = 0; i < 64; i++)
        {
            await inFlight.WaitAsync(CancellationToken.None); // let the last requests finish
        }
    }

    private async Task SendAsync(string agent, string token, DateTime time)
    {
        string outcome;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info")
            {
                Content = Reports.Json(Reports.Seed(agent, time).ToJsonString()),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _client.SendAsync(request);
            outcome = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            if (response.IsSuccessStatusCode)
            {
                Acknowledged.Add((agent, time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            outcome = "no answer";
        }

        Outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _client.Dispose();
    }
}
