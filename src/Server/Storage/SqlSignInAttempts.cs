using System.Data.Common;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>
/// Sign-in attempts per client address in a fixed window, counted in the database every server process shares, so
/// N replicas behind a load balancer allow one budget, not N. Windows are timed on the database's clock. Each step
/// is one statement, atomic on its own; two counts at once never both take the last place.
/// </summary>
internal sealed class SqlSignInAttempts(SqlDatabase database)
{
    public const string MySqlTable =
        "CREATE TABLE IF NOT EXISTS sign_in_attempt (address VARCHAR(64) NOT NULL PRIMARY KEY, window_ends DATETIME(3) NOT NULL, " +
        "attempts INT NOT NULL, KEY ix_sign_in_attempt_ends (window_ends)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

    public static readonly string[] SqliteTable =
    [
        "CREATE TABLE sign_in_attempt (address TEXT NOT NULL PRIMARY KEY, window_ends TEXT NOT NULL, attempts INTEGER NOT NULL)",
        "CREATE INDEX ix_sign_in_attempt_ends ON sign_in_attempt(window_ends)",
    ];

    private const int AddressLength = 64;

    private SqlDialect Dialect => database.Dialect;

    /// <summary>Counts one attempt from <paramref name="address"/>; false (nothing counted) when its window already holds <paramref name="limit"/>.</summary>
    public Task<bool> TryCountAsync(string address, int limit, int windowSeconds, CancellationToken ct)
    {
        var args = new { address = Bounded(address), limit, zero = 0, window = windowSeconds };
        var now = Dialect.DbTimeFromNow("@zero");
        var ends = Dialect.DbTimeFromNow("@window");
        return database.RunAsync(async connection =>
        {
            for (var round = 0; round < 2; round++)
            {
                if (await ExecuteAsync(connection,
                        $"UPDATE sign_in_attempt SET window_ends = {ends}, attempts = 1 WHERE address = @address AND window_ends <= {now}", args, ct) == 1 ||
                    await ExecuteAsync(connection,
                        $"UPDATE sign_in_attempt SET attempts = attempts + 1 WHERE address = @address AND window_ends > {now} AND attempts < @limit", args, ct) == 1)
                {
                    return true;
                }

                try
                {
                    // A new address: windows that ended are forgotten first, so a scan from many addresses leaves no trail.
                    await ExecuteAsync(connection, $"DELETE FROM sign_in_attempt WHERE window_ends <= {now}", args, ct).ConfigureAwait(false);
                    return await ExecuteAsync(connection,
                        $"INSERT INTO sign_in_attempt(address, window_ends, attempts) VALUES (@address, {ends}, 1)", args, ct) == 1;
                }
                catch (DbException ex) when (Dialect.IsDuplicateKey(ex))
                {
                    // Another attempt from the address was counted first, or its budget is spent: once more from the top.
                }
            }

            return false;
        }, ct);
    }

    /// <summary>Gives a counted attempt back (the password was right).</summary>
    public Task ReleaseAsync(string address, CancellationToken ct) =>
        database.RunAsync(connection => ExecuteAsync(connection,
            "UPDATE sign_in_attempt SET attempts = attempts - 1 WHERE address = @address AND attempts > 0", new { address = Bounded(address) }, ct), ct);

    private static string Bounded(string address) => address.Length <= AddressLength ? address : address[..AddressLength];

    private static Task<int> ExecuteAsync(DbConnection connection, string sql, object args, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct));
}
