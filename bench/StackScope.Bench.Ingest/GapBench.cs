using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>
/// The longest time without a stored report while a fault happens: one probe agent posts a new report every
/// --interval-ms, one at a time (2 s timeout each), and the longest span between two consecutive 200 answers is the gap.
/// Run beside a load so the fault meets a busy server.
/// </summary>
internal static class GapBench
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var url = new Uri(args.Require("url"));
        var seconds = args.Number("seconds", 40);
        var interval = TimeSpan.FromMilliseconds(args.Number("interval-ms", 50));
        var agent = "gap-" + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);
        var tokens = await BenchTokens.IssueAsync(StorageProviders.MySql, args.Require("tokens-mysql"), [agent]).ConfigureAwait(false);
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens[agent]);

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var lastOk = TimeSpan.Zero;
        var longest = TimeSpan.Zero;
        var longestEnd = TimeSpan.Zero;
        var n = 0;
        var start = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(ReportFactory.Report(agent, start.AddSeconds(n), ReportFactory.Containers(agent, start.AddSeconds(n), 10, 0)),
                ContractsJsonContext.Default.MonitorReport);
            string outcome;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var answer = await client.PostAsync(new Uri("/api/v1/monitor-info", UriKind.Relative), content).ConfigureAwait(false);
                outcome = ((int)answer.StatusCode).ToString(CultureInfo.InvariantCulture);
                if (answer.IsSuccessStatusCode)
                {
                    n++;
                    var now = clock.Elapsed;
                    if (now - lastOk > longest)
                    {
                        longest = now - lastOk;
                        longestEnd = now;
                    }

                    lastOk = now;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                outcome = ex.GetType().Name;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            await Task.Delay(interval).ConfigureAwait(false);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT gap longest_s={longest.TotalSeconds:0.00} ended_at_s={longestEnd.TotalSeconds:0.0} stored={n} outcomes={string.Join(',', outcomes.Select(o => $"{o.Key}:{o.Value}"))}"));
        return 0;
    }
}
