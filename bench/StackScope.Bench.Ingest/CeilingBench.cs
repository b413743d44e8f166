using System.Diagnostics;
using System.Globalization;
using System.Text;
using MySqlConnector;

namespace StackScope.Bench.Ingest;

/// <summary>
/// The database's own ceiling for the rows ss-server stored: every server and container row of a database an ingest
/// run filled, loaded again by LOAD DATA LOCAL INFILE into tables made LIKE them (same keys, indexes, partitions), in
/// transactions of the same number of reports, by as many loops as ss-server's writers; no HTTP, no JSON, no validation,
/// the files built before the clock starts. ss-server's end-to-end rate against this says how close ingest comes to what
/// the database can take.
/// </summary>
internal static class CeilingBench
{
    private static readonly string[] Tables = ["server", "container"];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var server = args.Require("mysql");
        var source = args.Require("source");
        var target = source + "_ceiling";
        var batchReports = (int)args.Number("batch", 100);
        var writers = (int)args.Number("writers", 2);

        var connection = new MySqlConnectionStringBuilder(server) { AllowLoadLocalInfile = true, DefaultCommandTimeout = 600 };
        await using var admin = new MySqlConnection(connection.ConnectionString);
        await admin.OpenAsync().ConfigureAwait(false);
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS `{target}`").ConfigureAwait(false);
        await ExecuteAsync(admin, $"CREATE DATABASE `{target}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").ConfigureAwait(false);
        var columns = new Dictionary<string, List<string>>();
        var rows = new Dictionary<string, Dictionary<(string, string), StringBuilder>>();
        var reports = new List<(string Agent, string Time)>();
        foreach (var table in Tables)
        {
            await ExecuteAsync(admin, $"CREATE TABLE `{target}`.{table} LIKE `{source}`.{table}").ConfigureAwait(false);
            columns[table] = await ColumnsAsync(admin, source, table).ConfigureAwait(false);
            rows[table] = await ReadAsync(admin, source, table, columns[table], table == "server" ? reports : null).ConfigureAwait(false);
        }

        // The batches' files, built before timing: per batch, one file per table.
        var batches = reports.Chunk(batchReports).Select(chunk => Tables.ToDictionary(t => t, t =>
        {
            var file = new StringBuilder();
            foreach (var key in chunk)
            {
                if (rows[t].TryGetValue(key, out var lines))
                {
                    file.Append(lines);
                }
            }

            return Encoding.UTF8.GetBytes(file.ToString());
        })).ToList();
        var totalRows = rows.Values.Sum(t => t.Values.Sum(b => b.ToString().Count(c => c == '\n')));

        connection.Database = target;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            await using var loader = new MySqlConnection(connection.ConnectionString);
            await loader.OpenAsync().ConfigureAwait(false);
            int index;
            while ((index = Interlocked.Increment(ref next)) < batches.Count)
            {
                await using var transaction = await loader.BeginTransactionAsync().ConfigureAwait(false);
                foreach (var table in Tables)
                {
                    using var file = new MemoryStream(batches[index][table]);
                    var load = new MySqlBulkLoader(loader)
                    {
                        TableName = table,
                        Local = true,
                        SourceStream = file,
                        CharacterSet = "utf8mb4",
                        FieldTerminator = "\t",
                        LineTerminator = "\n",
                        EscapeCharacter = '\\',
                        ConflictOption = MySqlBulkLoaderConflictOption.Ignore,
                    };
                    load.Columns.AddRange(columns[table]);
                    await load.LoadAsync().ConfigureAwait(false);
                }

                await transaction.CommitAsync().ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT ceiling reports={reports.Count} rows={totalRows} batches={batches.Count} batch_reports={batchReports} writers={writers} seconds={seconds:0.00} reports_per_s={reports.Count / seconds:0} rows_per_s={totalRows / seconds:0}"));
        await ExecuteAsync(admin, $"DROP DATABASE `{target}`").ConfigureAwait(false);
        return 0;
    }

    private static async Task ExecuteAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    // The columns ss-server writes: all but the AUTO_INCREMENT id.
    private static async Task<List<string>> ColumnsAsync(MySqlConnection connection, string database, string table)
    {
        await using var command = new MySqlCommand(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @s AND TABLE_NAME = @t AND EXTRA NOT LIKE '%auto_increment%' " +
            "ORDER BY ORDINAL_POSITION", connection);
        command.Parameters.AddWithValue("@s", database);
        command.Parameters.AddWithValue("@t", table);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    // Each report's rows of the table as tab-separated lines, keyed by (agent, sample time), in stored order.
    private static async Task<Dictionary<(string, string), StringBuilder>> ReadAsync(MySqlConnection connection, string database, string table,
        List<string> columns, List<(string, string)>? reports)
    {
        var timeColumn = columns.Contains("ser_get_datetime") ? "ser_get_datetime" : "con_get_datetime";
        await using var command = new MySqlCommand($"SELECT {string.Join(", ", columns)} FROM `{database}`.{table} ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var byReport = new Dictionary<(string, string), StringBuilder>();
        var agentAt = columns.IndexOf("agent_id");
        var timeAt = columns.IndexOf(timeColumn);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var key = (reader.GetString(agentAt), Text(reader.GetValue(timeAt)));
            if (!byReport.TryGetValue(key, out var lines))
            {
                byReport[key] = lines = new StringBuilder();
                reports?.Add(key);
            }

            for (var i = 0; i < columns.Count; i++)
            {
                lines.Append(i == 0 ? "" : "\t").Append(reader.IsDBNull(i) ? "\\N" : Escape(Text(reader.GetValue(i))));
            }

            lines.Append('\n');
        }

        return byReport;
    }

    private static string Text(object value) => value switch
    {
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
