using System.Globalization;
using System.Net;
using System.Text.Json;
using MySqlConnector;
using StackScope.Contracts;
using StackScope.Server.Storage;
using StackScope.Server.Storage.MySql;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Retention;

/// <summary>MariaDB's raw tables as daily partitions: made ahead, dropped whole past retention, and the conversion of a database from the schema before them.</summary>
public sealed class MariaDbPartitionTests
{
    private static readonly string[] RawTables = ["server", "container", "server_filesystem"];

    /// <summary>On one MariaDB, and on the Galera cluster through HAProxy's writer, where each partition change is DDL
    /// replicated in total order and aborts the ingest transactions in flight (retried; at worst a 503 the sender resends).</summary>
    [Theory]
    [InlineData("single")]
    [InlineData("galera")]
    public async Task Days_are_partitioned_ahead_and_expired_ones_dropped_while_ingest_goes_on(string cluster)
    {
        await using var database = cluster == "galera" ? new MariaDbTestDatabase(GaleraCluster.Writer) : new MariaDbTestDatabase();
        var storage = StorageSet.Create(new StorageOptions { Provider = database.Provider, ConnectionString = database.ConnectionString }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None);
        // As a database that has run for weeks: everything before 41 days ago in p_hist, the days since made by the job.
        var history = new RetentionHistory(DateTime.UtcNow);
        var today = DateTime.UtcNow.Date;
        foreach (var (table, column) in new[] { ("server", "ser_get_datetime"), ("container", "con_get_datetime"), ("server_filesystem", "ser_get_datetime") })
        {
            await database.ExecuteAsync($"ALTER TABLE {table} REMOVE PARTITIONING");
            await database.ExecuteAsync($"ALTER TABLE {table} PARTITION BY RANGE COLUMNS({column}) (PARTITION p_hist VALUES LESS THAN " +
                $"('{today.AddDays(-41):yyyy-MM-dd}'), PARTITION pmax VALUES LESS THAN (MAXVALUE))");
        }

        await history.SeedAsync(database);
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });

        // Ingest goes on while the run splits 45 days off pmax and drops the expired ones.
        using var stop = new CancellationTokenSource();
        var agent = Reports.NewAgentId("rt-live");
        var posted = 0;
        var busy = 0;
        var ingest = Task.Run(async () =>
        {
            var at = WireTimestamp.Truncate(DateTime.UtcNow).AddHours(-12);
            while (!stop.IsCancellationRequested)
            {
                var body = JsonSerializer.Serialize(RetentionHistory.Report(agent, at.AddSeconds(posted), posted), ContractsJsonContext.Default.MonitorReport);
                using var response = await Reports.PostAsync(server.Client, body);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    busy++; // as an agent does: the same report again
                    continue;
                }

                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                posted++;
            }
        });
        await Task.Delay(200);
        var result = await Maintenance.RunAsync(server);
        await Task.Delay(200);
        await stop.CancelAsync();
        await ingest;

        var cutoff = today.AddDays(-7);
        Assert.Equal(3 * (41 + 3 + 1), result.PartitionsAdded);
        // p_hist and the 34 days before the cutoff, of each raw table.
        Assert.Equal(3 * 35, result.PartitionsDropped);
        Assert.True(posted > 0);
        Assert.Equal(posted, await database.CountAsync("server", agent));
        foreach (var table in RawTables)
        {
            var partitions = await database.QueryAsync(
                "SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS bound FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @t",
                ("@t", table));
            var names = partitions.Select(p => (string)p["name"]!).ToList();
            // Days ahead exist; nothing wholly before the cutoff is left.
            for (var day = 0; day <= 3; day++)
            {
                Assert.Contains("p" + today.AddDays(day).ToString("yyyyMMdd", CultureInfo.InvariantCulture), names);
            }

            Assert.Contains("pmax", names);
            Assert.DoesNotContain("p_hist", names);
            Assert.Equal("p" + cutoff.ToString("yyyyMMdd", CultureInfo.InvariantCulture), names[0]);
        }

        var kept = Enumerable.Range(0, history.Count).Count(i => history.TimeOf(i) >= cutoff);
        Assert.Equal(kept, await database.CountAsync("server", RetentionHistory.Agents[0]));
        Assert.True(busy < posted, $"{busy} answers of 503 against {posted} stored");
        if (cluster == "galera")
        {
            // Every node holds the same rows and the same days.
            foreach (var node in new[] { 1, 2, 3 })
            {
                var copy = database.Through(GaleraCluster.Node(node));
                async Task<long> CountOnNodeAsync(string id) => Convert.ToInt64((await copy.QueryAsync(
                    "SET STATEMENT wsrep_sync_wait = 1 FOR SELECT COUNT(*) AS n FROM server WHERE agent_id = @a", ("@a", id)))[0]["n"], CultureInfo.InvariantCulture);
                Assert.Equal(posted, await CountOnNodeAsync(agent));
                Assert.Equal(kept, await CountOnNodeAsync(RetentionHistory.Agents[0]));
            }
        }
    }

    [Fact]
    public async Task The_migration_from_the_schema_before_partitions_keeps_every_row_and_ingest_idempotent()
    {
        await using var database = new MariaDbTestDatabase();
        await using (var connection = new MySqlConnection(new MySqlConnectionStringBuilder(MariaDb.ServerConnectionString).ConnectionString))
        {
            await connection.OpenAsync();
            await new MySqlCommand($"CREATE DATABASE `{new MySqlConnectionStringBuilder(database.ConnectionString).Database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                connection).ExecuteNonQueryAsync();
        }

        // The schema as version 7 left it, with two days of history in it.
        await database.ExecuteAsync(
            "CREATE TABLE schema_version (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at VARCHAR(32) NOT NULL)");
        foreach (var migration in MySqlMigrations.All.Where(m => m.Version <= 7))
        {
            foreach (var statement in migration.Statements)
            {
                await database.ExecuteAsync(statement);
            }

            await database.ExecuteAsync($"INSERT INTO schema_version VALUES ({migration.Version}, 'v{migration.Version}', '2026-01-01')");
        }

        var history = new RetentionHistory(DateTime.UtcNow, days: 2);
        var storage = StorageSet.Create(new StorageOptions { Provider = database.Provider, ConnectionString = database.ConnectionString }, Path.GetTempPath());
        var reports = RetentionHistory.Agents.SelectMany(a => Enumerable.Range(0, history.Count).Select(i => RetentionHistory.Report(a, history.TimeOf(i), i))).ToList();
        // Today's writer also fills the columns of migration 9: there for the history's insert only.
        await database.ExecuteAsync("ALTER TABLE server ADD COLUMN engine_types VARCHAR(255) NULL, ADD COLUMN unread_engines VARCHAR(255) NULL");
        storage.Reports.WriteBatch(reports, DateTime.UtcNow);
        await database.ExecuteAsync("ALTER TABLE server DROP COLUMN engine_types, DROP COLUMN unread_engines");
        var before = await database.QueryAsync("SELECT id, agent_id, container_name, con_get_datetime, con_cpu_percent FROM container ORDER BY id");

        await storage.Migrator.MigrateAsync(CancellationToken.None);

        var after = await database.QueryAsync("SELECT id, agent_id, container_name, con_get_datetime, con_cpu_percent FROM container ORDER BY id");
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(before.Select(Line), after.Select(Line));
        Assert.Equal(history.Count * 2, await database.CountAllAsync("server"));
        foreach (var table in RawTables)
        {
            var partitions = await database.QueryAsync(
                "SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @t AND PARTITION_NAME IS NOT NULL",
                ("@t", table));
            // Today and the days ahead already have partitions: nothing of today's is in pmax for the first run to copy.
            var today = DateTime.UtcNow.Date;
            string[] expected = ["p_hist", .. Enumerable.Range(0, MySqlMigrations.DaysMadeWithPartitions).Select(d => MySqlPartitions.NameOf(today.AddDays(d))), "pmax"];
            Assert.Equal(expected.Order(StringComparer.Ordinal), partitions.Select(p => (string)p["name"]!).Order(StringComparer.Ordinal));
            Assert.Equal(0L, Convert.ToInt64((await database.QueryAsync($"SELECT COUNT(*) AS n FROM {table} PARTITION (pmax)"))[0]["n"]));
            // Today's rows (none in the half hour after midnight: the history ends 30 minutes ago) are in today's partition.
            var column = table == "container" ? "con_get_datetime" : "ser_get_datetime";
            var todays = Convert.ToInt64((await database.QueryAsync($"SELECT COUNT(*) AS n FROM {table} WHERE {column} >= @d", ("@d", today)))[0]["n"]);
            Assert.Equal(todays, Convert.ToInt64((await database.QueryAsync($"SELECT COUNT(*) AS n FROM {table} PARTITION ({MySqlPartitions.NameOf(today)})"))[0]["n"]));
        }

        // The natural key still makes a resent report a no-op, and new rows still get ids of their own.
        storage.Reports.WriteBatch(reports.Take(10).ToList(), DateTime.UtcNow);
        Assert.Equal(before.Count, await database.CountAllAsync("container"));
        var fresh = RetentionHistory.Report("rt-new", DateTime.UtcNow.AddMinutes(-1), 1);
        storage.Reports.WriteBatch([fresh], DateTime.UtcNow);
        var ids = await database.QueryAsync("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM container");
        Assert.Equal(ids[0]["n"], ids[0]["d"]);
        // A report of the last minute lands in its day's partition, never in pmax.
        Assert.Single(await database.QueryAsync(
            $"SELECT agent_id FROM server PARTITION ({MySqlPartitions.NameOf(fresh.SampledAt.Date)}) WHERE agent_id = 'rt-new'"));
        Assert.Empty(await database.QueryAsync("SELECT agent_id FROM server PARTITION (pmax)"));
    }

    private static string Line(Dictionary<string, object?> row) => string.Join('|', row.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
}
