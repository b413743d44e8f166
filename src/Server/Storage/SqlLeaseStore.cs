using System.Data.Common;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>
/// Named leases in the shared database, so background work (alert evaluation, maintenance) runs in one server process
/// at a time; a holder that stops renewing loses its lease when it expires. Expiry is read and written on the
/// database's clock, never a server's: two servers whose clocks disagree by more than a lease's time took it from
/// each other in turn.
/// </summary>
internal sealed class SqlLeaseStore(SqlDatabase database)
{
    private SqlDialect Dialect => database.Dialect;

    /// <summary>A holder name unique to this process and use, which says where the holder runs (fits the 128-character column).</summary>
    public static string NewHolder()
    {
        var holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return holder.Length <= 128 ? holder : holder[^128..];
    }

    /// <summary>Takes or renews the lease for <paramref name="holder"/> for <paramref name="ttl"/> (whole seconds); false while another holder's lease is live.</summary>
    public Task<bool> TryLeaseAsync(string name, string holder, TimeSpan ttl, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromSeconds(1));
        var args = new { name, holder, zero = 0, ttl = (int)Math.Ceiling(ttl.TotalSeconds) };
        var now = Dialect.DbTimeFromNow("@zero");
        var until = Dialect.DbTimeFromNow("@ttl");
        return database.RunAsync(async connection =>
        {
            var taken = await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE lease SET holder = @holder, expires_at = {until} WHERE name = @name AND (holder = @holder OR expires_at < {now})",
                args, cancellationToken: ct)).ConfigureAwait(false);
            if (taken == 1)
            {
                return true;
            }

            try
            {
                // Two first takers at once: one inserts, the other finds the key (or, on Galera, fails certification,
                // which the storage boundary retries from the UPDATE).
                return await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO lease(name, holder, expires_at) VALUES (@name, @holder, {until})", args, cancellationToken: ct)).ConfigureAwait(false) == 1;
            }
            catch (DbException ex) when (Dialect.IsDuplicateKey(ex))
            {
                return false;
            }
        }, ct);
    }

    public Task ReleaseLeaseAsync(string name, string holder, CancellationToken ct) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM lease WHERE name = @name AND holder = @holder", new { name, holder }, cancellationToken: ct)), ct);
}
