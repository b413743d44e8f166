using System.Diagnostics;
using System.Text.Json;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>Times the store's batch write alone, without HTTP: where a report's commit time goes.</summary>
internal static class StoreProbe
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var storage = StorageSet.Create(new StorageOptions { Provider = StorageProviders.MySql, ConnectionString = args.Require("mysql") }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var batch = (int)args.Number("batch", 1);
        var factory = new ReportFactory("p" + DateTime.UtcNow.ToString("HHmmssfff", System.Globalization.CultureInfo.InvariantCulture), 1000, 10);
        var times = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var reports = Enumerable.Range(0, batch)
                .Select(_ => JsonSerializer.Deserialize(factory.Next().Body, ContractsJsonContext.Default.MonitorReport)!)
                .ToList();
            var started = Stopwatch.GetTimestamp();
            storage.Reports.WriteBatch(reports, DateTime.UtcNow);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"batch={batch} p50={times[150]:0.00} ms p99={times[296]:0.00} ms");
        return 0;
    }
}
