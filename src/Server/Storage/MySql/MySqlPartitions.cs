using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;

namespace StackScope.Server.Storage.MySql;

/// <summary>
/// Raw tables partitioned BY RANGE COLUMNS(time) into days: p_hist (everything before the conversion), pYYYYMMDD, and pmax
/// (anything later than the newest day). New days are split off pmax while it is still empty of them, so adding a day
/// copies nothing; expiry drops whole days, which costs the same whatever the table's size.
/// </summary>
internal sealed class MySqlPartitions : IRawPartitions
{
    public const string History = "p_hist";
    public const string Future = "pmax";

    public async Task<IReadOnlyList<(string Name, DateTime? Before, long Rows)>> ListAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string? Name, string? Description, long Rows)>(new CommandDefinition(
            "SELECT PARTITION_NAME, PARTITION_DESCRIPTION, COALESCE(TABLE_ROWS, 0) FROM information_schema.PARTITIONS " +
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table AND PARTITION_NAME IS NOT NULL ORDER BY PARTITION_ORDINAL_POSITION",
            new { table }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => (r.Name!, Bound(r.Description), r.Rows)).ToList();
    }

    public async Task<int> EnsureAheadAsync(DbConnection connection, string table, string column, DateTime lastDay, CancellationToken cancellationToken)
    {
        var partitions = await ListAsync(connection, table, cancellationToken).ConfigureAwait(false);
        if (partitions.Count == 0 || partitions[^1].Name != Future)
        {
            return 0; // not partitioned the way this class knows: leave it alone (expiry then deletes in chunks)
        }

        var newestBound = partitions.Where(p => p.Before is not null).Select(p => p.Before!.Value).DefaultIfEmpty(DateTime.UtcNow.Date).Max();
        var days = new List<DateTime>();
        for (var day = newestBound; day <= lastDay.Date; day = day.AddDays(1))
        {
            days.Add(day);
        }

        if (days.Count == 0)
        {
            return 0;
        }

        var sql = new StringBuilder($"ALTER TABLE {table} REORGANIZE PARTITION {Future} INTO (");
        foreach (var day in days)
        {
            sql.Append(CultureInfo.InvariantCulture, $"PARTITION {NameOf(day)} VALUES LESS THAN ('{day.AddDays(1):yyyy-MM-dd}'), ");
        }

        sql.Append(CultureInfo.InvariantCulture, $"PARTITION {Future} VALUES LESS THAN (MAXVALUE))");
        await SqlDatabase.ExecuteAsync(connection, null, sql.ToString(), cancellationToken).ConfigureAwait(false);
        return days.Count;
    }

    public async Task<(int Partitions, long Rows)> DropBeforeAsync(DbConnection connection, string table, DateTime before, CancellationToken cancellationToken)
    {
        var partitions = await ListAsync(connection, table, cancellationToken).ConfigureAwait(false);
        // Only from the old end (pmax always stays), so the bounds that remain still cover every later day.
        var expired = partitions.Where(p => p.Before is { } bound && bound <= before).ToList();
        if (expired.Count == 0)
        {
            return (0, 0);
        }

        await SqlDatabase.ExecuteAsync(connection, null, $"ALTER TABLE {table} DROP PARTITION {string.Join(", ", expired.Select(p => p.Name))}",
            cancellationToken).ConfigureAwait(false);
        return (expired.Count, expired.Sum(p => p.Rows));
    }

    public static string NameOf(DateTime day) => "p" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    // PARTITION_DESCRIPTION of RANGE COLUMNS on a DATETIME is the quoted literal, e.g. '2026-11-27' or '2026-11-27 00:00:00'.
    private static DateTime? Bound(string? description)
    {
        var text = description?.Trim('\'') ?? "";
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var bound)
            ? DateTime.SpecifyKind(bound, DateTimeKind.Utc)
            : null;
    }
}
