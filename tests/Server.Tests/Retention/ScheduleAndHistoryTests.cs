using System.Globalization;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Retention;

/// <summary>The server's own schedule, and the retention of container events and alert history.</summary>
public sealed class ScheduleAndHistoryTests
{
    [Fact]
    public async Task The_server_runs_maintenance_on_its_own_schedule()
    {
        await using var database = new SqliteTestDatabase();
        await new RetentionHistory(DateTime.UtcNow, days: 2).SeedAsync(database);
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Retention:IntervalMinutes"] = "0.05" });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await database.CountAllAsync("server_1h") == 0 || (await database.QueryAsync("SELECT value FROM maintenance_state WHERE name = 'last_run'")).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no maintenance run within 60 s at a 3 s interval");
            await Task.Delay(250);
        }

        var lease = await database.QueryAsync("SELECT holder FROM lease WHERE name = 'maintenance'");
        Assert.True(lease.Count <= 1);
    }

    [Fact]
    public async Task Events_and_alert_history_expire_on_their_own_schedule()
    {
        await using var database = new SqliteTestDatabase();
        await new RetentionHistory(DateTime.UtcNow, days: 1).SeedAsync(database);
        var old = DateTime.UtcNow.AddDays(-100).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var recent = DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var ancient = DateTime.UtcNow.AddDays(-400).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        foreach (var (id, at) in new[] { ("old", old), ("recent", recent) })
        {
            await database.ExecuteAsync("INSERT INTO container_event(agent_id, container_id, container_name, node_name, action, event_datetime, time_nano, source, received_at) " +
                $"VALUES ('rt-a', '{id}', 'web', 'rt-a-node', 'die', '{at}', 1, 'engine', '{at}')");
        }

        foreach (var (resolved, started) in new[] { ($"'{ancient}'", ancient), ("NULL", ancient), ($"'{recent}'", recent) })
        {
            await database.ExecuteAsync("INSERT INTO alert_incident(rule_name, target_key, agent_id, severity, summary, started_at, resolved_at, backfilled, flapping) " +
                $"VALUES ('r', 't', 'rt-a', 'warning', 's', '{started}', {resolved}, 0, 0)");
        }

        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        var result = await Maintenance.RunAsync(server);

        Assert.Equal(1, result.EventsExpired);
        Assert.Equal(["recent"], (await database.QueryAsync("SELECT container_id FROM container_event")).Select(r => (string)r["container_id"]!));
        // A resolved incident past AlertDays goes; one still firing stays, however old.
        Assert.Equal(1, result.AlertRowsExpired);
        Assert.Equal(2, await database.CountAllAsync("alert_incident"));
    }
}
