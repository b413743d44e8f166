using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>
/// Retention benchmark. retention-seed: a year of hour rows and 30 days of 5-minute rows written straight
/// into the tiers of N agents x M containers, plus the last hour as raw reports for the maintenance job to roll up.
/// retention-measure: long charts timed against a running ss-server. retention-disk: bytes per row, per container-day
/// and a year's projection from information_schema. retention-sqlite: expiry on SQLite with a writer committing
/// beside it (its longest wait) and the file's size before and after.
/// </summary>
internal static class RetentionBench
{
    public static async Task<int> SeedAsync(BenchArgs args)
    {
        var connection = args.Require("mysql");
        var storage = StorageSet.Create(new StorageOptions { Provider = StorageProviders.MySql, ConnectionString = connection }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var agents = (int)args.Number("agents", 50);
        var containers = (int)args.Number("containers", 20);
        var now = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        long rows = 0;
        foreach (var (table, size, days) in new[] { ("1h", 3600, 365), ("5m", 300, 30) })
        {
            var end = (long)(now - DateTime.UnixEpoch).TotalSeconds / size * size;
            var buckets = Enumerable.Range(0, days * 86400 / size).Select(b => end - ((long)b * size)).ToList();
            await Parallel.ForEachAsync(buckets.Chunk(Math.Max(1, 2000 / (agents * containers)) + 1), new ParallelOptions { MaxDegreeOfParallelism = 2 },
                async (chunk, ct) =>
                {
                    await using var db = new MySqlConnection(connection);
                    await db.OpenAsync(ct).ConfigureAwait(false);
                    var server = new StringBuilder($"INSERT INTO server_{table} VALUES ");
                    var container = new StringBuilder($"INSERT INTO container_{table} VALUES ");
                    var first = true;
                    foreach (var bucket in chunk)
                    {
                        var at = DateTime.UnixEpoch.AddSeconds(bucket + size - 10).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                        var samples = size / 10;
                        for (var a = 0; a < agents; a++)
                        {
                            var cpu = (bucket / size + a) % 100;
                            server.Append(first ? "" : ",").Append(CultureInfo.InvariantCulture,
                                $"('rb-agent-{a:00}',{bucket},{samples},8,{cpu / 2},{cpu},{cpu + 5},32000,7000,8000,9000,20,25,30,0.5,1,2,{bucket},{bucket},'{at}')");
                            first = false;
                        }

                        Interlocked.Add(ref rows, agents);
                    }

                    first = true;
                    foreach (var bucket in chunk)
                    {
                        var at = DateTime.UnixEpoch.AddSeconds(bucket + size - 10).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                        var samples = size / 10;
                        for (var a = 0; a < agents; a++)
                        {
                            for (var c = 0; c < containers; c++)
                            {
                                var cpu = (bucket / size + c) % 100;
                                container.Append(first ? "" : ",").Append(CultureInfo.InvariantCulture,
                                    $"('rb-agent-{a:00}','rb-agent-{a:00}','app-{c:00}',{bucket},{samples},{samples},'running',{cpu / 2},{cpu},{cpu + 5},100,120,150,1,1.2,1.5,{bucket},{bucket},{bucket},{bucket},3,4,5,0,'{at}')");
                                first = false;
                            }
                        }

                        Interlocked.Add(ref rows, agents * containers);
                    }

                    await db.ExecuteAsync(new CommandDefinition(server.ToString(), cancellationToken: ct)).ConfigureAwait(false);
                    await db.ExecuteAsync(new CommandDefinition(container.ToString(), cancellationToken: ct)).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }

        var tierSeconds = clock.Elapsed.TotalSeconds;
        // The last hour as raw 10 s reports: what the maintenance job rolls up next.
        var end10 = WireTimestamp.Truncate(now);
        var reports = Enumerable.Range(0, 360).SelectMany(s => Enumerable.Range(0, agents).Select(a => Report($"rb-agent-{a:00}", end10.AddSeconds(-10 * (359 - s)), s, containers)));
        foreach (var batch in reports.Chunk(200))
        {
            storage.Reports.WriteBatch(batch, DateTime.UtcNow);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SEEDED tiers agents={agents} containers={containers} tier_rows={rows} seconds={tierSeconds:0} rows_per_s={rows / tierSeconds:0}; raw hour: {agents * 360} reports, {agents * 360 * containers} container rows"));
        return 0;
    }

    public static async Task<int> MeasureAsync(BenchArgs args)
    {
        var url = new Uri(args.Require("url"));
        var rounds = (int)args.Number("rounds", 30);
        using var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", args.Require("token"));
        var now = DateTime.UtcNow;
        string Iso(DateTime t) => Uri.EscapeDataString(t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var calls = new (string Name, Func<int, string> Path)[]
        {
            ("container chart 1 year", i => $"/api/v1/agents/rb-agent-{i % 50:00}/containers/app-{i % 20:00}/history?from={Iso(now.AddDays(-365))}&to={Iso(now)}"),
            ("host chart 90 days", i => $"/api/v1/agents/rb-agent-{i % 50:00}/host?from={Iso(now.AddDays(-90))}&to={Iso(now)}"),
            ("container chart 30 days, 5-minute tier (step 2700 s)",
                i => $"/api/v1/agents/rb-agent-{i % 50:00}/containers/app-{i % 20:00}/history?from={Iso(now.AddDays(-30))}&to={Iso(now)}&step=2700"),
            ("host chart 24 h (raw and 5-minute tier)", i => $"/api/v1/agents/rb-agent-{i % 50:00}/host?from={Iso(now.AddHours(-24))}&to={Iso(now)}"),
        };
        foreach (var (name, path) in calls)
        {
            var times = new List<double>();
            var points = 0;
            var tier = "";
            for (var i = 0; i < rounds + 3; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path(i * 7)).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                response.EnsureSuccessStatusCode();
                if (i >= 3)
                {
                    times.Add(elapsed);
                }

                using var doc = JsonDocument.Parse(body);
                points = doc.RootElement.GetProperty("data").GetProperty("points").GetArrayLength();
                tier = doc.RootElement.GetProperty("data").GetProperty("tier").GetString() ?? "";
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT call=\"{name}\" tier={tier} points={points} p50_ms={times[times.Count / 2]:0.0} p95_ms={times[(int)(times.Count * 0.95)]:0.0} max_ms={times[^1]:0.0}"));
        }

        return 0;
    }

    /// <summary>Bytes per row of each table (information_schema after ANALYZE), per container-day, and a year of 1,000 containers at the defaults.</summary>
    public static async Task<int> DiskAsync(BenchArgs args)
    {
        await using var db = new MySqlConnection(args.Require("mysql"));
        await db.OpenAsync().ConfigureAwait(false);
        string[] tables = ["server", "container", "server_5m", "container_5m", "server_1h", "container_1h"];
        await db.ExecuteAsync("ANALYZE TABLE " + string.Join(", ", tables)).ConfigureAwait(false);
        var perRow = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var rows = await db.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}").ConfigureAwait(false);
            var bytes = await db.ExecuteScalarAsync<long>(
                "SELECT DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table", new { table })
                .ConfigureAwait(false);
            perRow[table] = rows == 0 ? 0 : bytes / (double)rows;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT table={table} rows={rows} bytes={bytes} bytes_per_row={perRow[table]:0}"));
        }

        // A container sampled every 10 s: 8,640 raw rows a day, 288 five-minute rows, 24 hour rows.
        var raw = perRow["container"] * 8640;
        var five = perRow["container_5m"] * 288;
        var hour = perRow["container_1h"] * 24;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT per_container_day raw_bytes={raw:0} five_minute_bytes={five:0} hour_bytes={hour:0}"));
        var year = 1000 * ((raw * 7) + (five * 90) + (hour * 365));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT projection containers=1000 year_with_defaults_gib={year / (1 << 30):0.00} (raw 7 d {1000 * raw * 7 / (1 << 30):0.00} GiB, 5-minute 90 d {1000 * five * 90 / (1 << 30):0.00} GiB, hour 365 d {1000 * hour * 365 / (1 << 30):0.00} GiB; hosts not counted)"));
        return 0;
    }

    /// <summary>
    /// SQLite: N days of raw history (60 s reports), then `ss-server maintenance run` (the command given) expiring the
    /// days past retention while this process commits a report every 50 ms; prints the writer's longest commit and the file's size.
    /// </summary>
    public static async Task<int> SqliteAsync(BenchArgs args)
    {
        var path = args.Require("path");
        var agents = (int)args.Number("agents", 10);
        var containers = (int)args.Number("containers", 20);
        var days = (int)args.Number("days", 9);
        var storage = StorageSet.Create(new StorageOptions { Provider = StorageProviders.Sqlite, ConnectionString = $"Data Source={path}" }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var end = WireTimestamp.Truncate(DateTime.UtcNow.AddMinutes(-10));
        var samples = days * 1440;
        var clock = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, samples).Chunk(20))
        {
            storage.Reports.WriteBatch(chunk.SelectMany(s => Enumerable.Range(0, agents)
                .Select(a => Report($"rs-agent-{a:00}", end.AddSeconds(-60 * (samples - 1 - s)), s, containers))).ToList(), DateTime.UtcNow);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var before = new FileInfo(path).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SEEDED sqlite agents={agents} containers={containers} days={days} container_rows={(long)samples * agents * containers} seconds={clock.Elapsed.TotalSeconds:0} file_mib={before / 1048576.0:0.0}"));

        using var stop = new CancellationTokenSource();
        var waits = new List<double>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var started = Stopwatch.GetTimestamp();
                storage.Reports.WriteBatch([Report("rs-live", WireTimestamp.Truncate(DateTime.UtcNow.AddHours(-1)).AddSeconds(i), i, containers)], DateTime.UtcNow);
                waits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await Task.Delay(50).ConfigureAwait(false);
            }
        });
        var command = args.Require("command").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var run = Process.Start(new ProcessStartInfo(command[0], [.. command.Skip(1), "maintenance", "run", "--Storage:Provider", "sqlite",
            "--Storage:ConnectionString", $"Data Source={path}"])
        { RedirectStandardOutput = true })!;
        var output = await run.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await run.WaitForExitAsync().ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await writer.ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        waits.Sort();
        Console.WriteLine("RESULT sqlite maintenance: " + output.Trim());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT sqlite writer beside it: {waits.Count} commits, p50 {waits[waits.Count / 2]:0.0} ms, p99 {waits[(int)(waits.Count * 0.99)]:0.0} ms, max {waits[^1]:0.0} ms; file {before / 1048576.0:0.0} MiB before, {new FileInfo(path).Length / 1048576.0:0.0} MiB after"));
        return run.ExitCode;
    }

    private static MonitorReport Report(string agent, DateTime at, int sample, int containers) => QueryBench.Report(agent, at, sample, containers);
}
