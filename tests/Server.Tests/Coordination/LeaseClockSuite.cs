using Microsoft.Extensions.DependencyInjection;
using StackScope.Server.Alerts;
using StackScope.Server.Coordination;
using StackScope.Server.Storage;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Coordination;

/// <summary>
/// Leases end on the database's clock: a server whose own clock runs an hour ahead never takes a lease another server
/// still renews (timed on each process's clock, it took the alert lease at once, and two evaluators ran side by side),
/// and a lease its holder stopped renewing passes on once its time is up.
/// </summary>
public abstract class LeaseClockSuite<TDatabase> where TDatabase : TestDatabase, new()
{
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }

    private static Dictionary<string, string?> FastAlerts() => new()
    {
        ["Alerts:EvaluateIntervalSeconds"] = "0.2",
        ["Alerts:LeaseSeconds"] = "3",
    };

    private static async Task<string?> HolderAsync(TestDatabase database) =>
        (await database.QueryAsync($"SELECT holder FROM lease WHERE name = '{AlertWorker.LeaseName}'")).Select(r => (string?)r["holder"]).SingleOrDefault();

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_server_with_a_clock_an_hour_ahead_leaves_a_renewed_lease_to_its_holder()
    {
        await using var database = new TDatabase();
        await using var first = await RunningServer.StartAsync(database, FastAlerts());
        var firstSignal = first.Services.GetRequiredService<AlertSignal>();
        await WaitAsync(() => firstSignal.Listening, "the first server took the alert lease");
        var holder = await HolderAsync(database);

        await using var ahead = await RunningServer.StartAsync(database, FastAlerts(), clock: new SkewedClock(TimeSpan.FromHours(1)));
        var aheadSignal = ahead.Services.GetRequiredService<AlertSignal>();
        // Three lease times, each with a try per second by the second server and renewals by the first.
        var until = DateTime.UtcNow.AddSeconds(9);
        while (DateTime.UtcNow < until)
        {
            Assert.False(aheadSignal.Listening, "the server whose clock is ahead took a lease the first still renews");
            await Task.Delay(100);
        }

        Assert.True(firstSignal.Listening);
        Assert.Equal(holder, await HolderAsync(database));

        // Stopped cleanly, the first hands the lease over: the other takes it.
        await first.DisposeAsync();
        await WaitAsync(() => aheadSignal.Listening, "the lease passed to the remaining server");
        Assert.NotEqual(holder, await HolderAsync(database));
    }

    [Fact]
    public async Task A_lease_not_renewed_passes_on_after_its_time_on_the_database_clock()
    {
        await using var database = new TDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Alerts:Enabled"] = "false" });
        var store = server.Services.GetRequiredService<SqlLeaseStore>();
        var gone = new Lease(store, "test-job", TimeSpan.FromSeconds(2), TimeProvider.System);
        var next = new Lease(store, "test-job", TimeSpan.FromSeconds(2), TimeProvider.System);
        Assert.True(await gone.HoldAsync(CancellationToken.None));
        Assert.False(await next.HoldAsync(CancellationToken.None));
        Assert.True(await gone.HoldAsync(CancellationToken.None), "the holder renews");

        // The holder stops renewing (as if killed): the other gets it once two seconds (and the row's precision) pass.
        var since = DateTime.UtcNow;
        await WaitAsync(() => next.HoldAsync(CancellationToken.None).GetAwaiter().GetResult(), "the next holder took the expired lease");
        Assert.InRange(DateTime.UtcNow - since, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }
}

public sealed class SqliteLeaseClockTests : LeaseClockSuite<SqliteTestDatabase>;

public sealed class MariaDbLeaseClockTests : LeaseClockSuite<MariaDbTestDatabase>;
