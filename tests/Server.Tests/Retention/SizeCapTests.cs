using Microsoft.Extensions.DependencyInjection;
using StackScope.Server.Storage;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Retention;

/// <summary>Retention:MaxRawMegabytes: the oldest raw days go, one at a time, until the raw tables fit; the tiers keep them.</summary>
public sealed class SizeCapTests
{
    [Fact]
    public async Task The_cap_drops_the_oldest_raw_days_until_the_raw_tables_fit_and_the_tiers_keep_them()
    {
        await using var database = new SqliteTestDatabase();
        var history = new RetentionHistory(DateTime.UtcNow);
        await history.SeedAsync(database);
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Retention:Enabled"] = "false",
            ["Retention:RawDays"] = "60",
            ["Retention:MaxRawMegabytes"] = "10",
        });
        var store = server.Services.GetRequiredService<SqlRetentionStore>();
        string[] raw = ["server", "container", "server_filesystem"];
        var before = (await store.TableSizesAsync(raw, CancellationToken.None)).Values.Sum(s => s.Bytes);
        Assert.True(before > 10 << 20, $"raw tables hold {before} bytes before the run");

        var result = await Maintenance.RunAsync(server);

        var after = (await store.TableSizesAsync(raw, CancellationToken.None)).Values.Sum(s => s.Bytes);
        Assert.True(after <= 10 << 20, $"raw tables hold {after} bytes after dropping {result.DaysDroppedForCap} days");
        Assert.True(result.DaysDroppedForCap > 0);
        // Whole days from the oldest: what is left starts at the first day not dropped and runs to the newest sample.
        var firstKept = history.Start.Date.AddDays(result.DaysDroppedForCap);
        var kept = Enumerable.Range(0, history.Count).Count(i => history.TimeOf(i) >= firstKept);
        Assert.Equal(RetentionHistory.Agents.Length * kept, await database.CountAllAsync("server"));
        Assert.Equal(RetentionHistory.Agents.Length * history.HostBuckets(RetentionHistory.Agents[0], 3600).Count, await database.CountAllAsync("server_1h"));
    }
}
