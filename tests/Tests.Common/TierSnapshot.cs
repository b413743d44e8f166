using System.Globalization;

namespace StackScope.Tests.Common;

/// <summary>Every row of the rollup tiers as one comparable line: the table and key columns, then every figure by name.</summary>
public static class TierSnapshot
{
    private static readonly (string Table, string[] Keys)[] Tables =
    [
        ("server_5m", ["agent_id", "bucket_start"]), ("server_1h", ["agent_id", "bucket_start"]),
        ("container_5m", ["agent_id", "node_name", "container_name", "bucket_start"]),
        ("container_1h", ["agent_id", "node_name", "container_name", "bucket_start"]),
    ];

    public static async Task<HashSet<string>> ReadAsync(TestDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var lines = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (table, keys) in Tables)
        {
            foreach (var row in await database.QueryAsync($"SELECT * FROM {table}"))
            {
                var key = string.Join('|', keys.Select(k => Text(row[k])));
                var figures = string.Join('|', row.Where(c => !keys.Contains(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => $"{c.Key}={Text(c.Value)}"));
                lines.Add($"{table}|{key}||{figures}|");
            }
        }

        return lines;
    }

    /// <summary>The table and key part of a line.</summary>
    public static string Key(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line[..line.IndexOf("||", StringComparison.Ordinal)];
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => ((double)m).ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
