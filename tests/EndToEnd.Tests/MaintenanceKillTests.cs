using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// `ss-server maintenance run` SIGKILLed at several points of a run over 40 days of history (rollups, then chunked
/// expiry), then run to the end: the tiers equal those of the same history maintained without interruption, and the
/// raw rows kept are the same, so nothing was lost or counted twice.
/// </summary>
public abstract class MaintenanceKillSuite<TDatabase> where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Killed_mid_run_and_run_again_it_ends_as_an_uninterrupted_run_does()
    {
        await using var killed = new TDatabase();
        await using var reference = new TDatabase();
        await killed.InitializeAsync();
        await reference.InitializeAsync();
        var history = new RetentionHistory(DateTime.UtcNow);
        await history.SeedAsync(killed);
        await history.SeedAsync(reference);

        var hitMidRun = 0;
        // Each run after a kill first waits out the dead run's lease (3 s here), then works.
        foreach (var delay in new[] { 2.5, 4.5, 6, 7.5, 9.5 })
        {
            using var run = Start(killed);
            await Task.Delay(TimeSpan.FromSeconds(delay));
            if (!run.HasExited)
            {
                hitMidRun++;
            }

            await run.KillAsync();
        }

        Assert.True(hitMidRun >= 2, $"only {hitMidRun} kills landed during a run");
        // A run expires by the UTC day it starts in: runs on both sides of midnight keep different days. Run both to
        // the end again until both ran within one day, the day the assertions below take.
        DateTime day;
        do
        {
            day = DateTime.UtcNow.Date;
            Assert.Equal(0, await CompleteAsync(killed));
            Assert.Equal(0, await CompleteAsync(reference));
        }
        while (DateTime.UtcNow.Date != day);

        var expected = await TierSnapshot.ReadAsync(reference);
        var actual = await TierSnapshot.ReadAsync(killed);
        Assert.NotEmpty(expected);
        Assert.Empty(expected.Except(actual));
        Assert.Empty(actual.Except(expected));
        foreach (var table in new[] { "server", "container" })
        {
            Assert.Equal(await reference.CountAllAsync(table), await killed.CountAllAsync(table));
        }

        var cutoff = day.AddDays(-7);
        var kept = Enumerable.Range(0, history.Count).Count(i => history.TimeOf(i) >= cutoff);
        Assert.Equal(RetentionHistory.Agents.Length * kept, await killed.CountAllAsync("server"));
    }

    // Small delete chunks for the runs killed: expiry takes many short statements, so the kills land between and inside
    // them. The runs to the end take the default chunks (5,000 rows; on SQLite 1,100 chunks of 100 took over a minute a
    // run), so the result is also shown not to depend on the chunk size.
    private static CapturedProcess Start(TestDatabase database, bool smallChunks = true) =>
        new(CapturedProcess.StartInfo("dotnet", [ServerProcess.DllPath, "maintenance", "run", .. ServerProcess.StorageArgs(database),
            .. (smallChunks ? (string[])["--Retention:DeleteChunkRows", "100"] : []), "--Retention:LeaseSeconds", "3"]));

    private static async Task<int> CompleteAsync(TestDatabase database)
    {
        using var run = Start(database, smallChunks: false);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await run.Process.WaitForExitAsync(cancel.Token);
        Assert.True(run.Process.ExitCode == 0, string.Join('\n', run.Lines));
        return run.Process.ExitCode;
    }
}

public sealed class SqliteMaintenanceKillTests : MaintenanceKillSuite<SqliteTestDatabase>;

public sealed class MariaDbMaintenanceKillTests : MaintenanceKillSuite<MariaDbTestDatabase>;
