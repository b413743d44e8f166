using System.Data.Common;
using Dapper;

namespace StackScope.Server.Storage.MySql;

/// <summary>
/// The migration lock as a row in the database, so it holds across every node of a Galera cluster: MariaDB's
/// <c>GET_LOCK</c> is local to the node that grants it, and two servers starting against two nodes migrated at once
/// (duplicate schema versions, columns added twice). Two nodes inserting the row at the same moment: one commits,
/// the other fails certification (1213) or finds the row (1062), and waits. The row expires on the database's clock
/// unless renewed, which the holder does while it migrates, so a holder that died stops no one for long.
/// </summary>
internal sealed class SchemaLockRow : IAsyncDisposable
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(15);

    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly string _holder;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    private SchemaLockRow(Func<CancellationToken, Task<DbConnection>> open, string holder)
    {
        _open = open;
        _holder = holder;
        _renewing = RenewAsync(_stop.Token);
    }

    public static async Task<SchemaLockRow> AcquireAsync(DbConnection connection, Func<CancellationToken, Task<DbConnection>> open, SqlDialect dialect,
        CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_lock (name VARCHAR(64) NOT NULL PRIMARY KEY, holder VARCHAR(128) NOT NULL, expires_at DATETIME NOT NULL) " +
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", cancellationToken: ct)).ConfigureAwait(false);
        var holder = SqlLeaseStore.NewHolder();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM schema_lock WHERE name = 'schema' AND expires_at < UTC_TIMESTAMP()", cancellationToken: ct)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO schema_lock(name, holder, expires_at) VALUES ('schema', @holder, UTC_TIMESTAMP() + INTERVAL {(int)Expiry.TotalSeconds} SECOND)",
                    new { holder }, cancellationToken: ct)).ConfigureAwait(false);
                return new SchemaLockRow(open, holder);
            }
            catch (DbException ex) when ((dialect.IsDuplicateKey(ex) || dialect.IsConflict(ex)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(200, 400)), ct).ConfigureAwait(false);
            }
        }
    }

    private async Task RenewAsync(CancellationToken ct)
    {
        try
        {
            using var timer = new PeriodicTimer(Renewal);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                await using var connection = await _open(ct).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE schema_lock SET expires_at = UTC_TIMESTAMP() + INTERVAL {(int)Expiry.TotalSeconds} SECOND WHERE name = 'schema' AND holder = @holder",
                    new { holder = _holder }, cancellationToken: ct)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or DbException)
        {
            // Stopped, or the database is away: the row expires by itself, and the migration's own statements fail too.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            await using var connection = await _open(CancellationToken.None).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM schema_lock WHERE name = 'schema' AND holder = @holder", new { holder = _holder })).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // It expires by itself.
        }
    }
}
