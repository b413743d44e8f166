using System.Data.Common;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>
/// Named leases in the shared database, so background work (alert evaluation, maintenance) runs in one server process
/// at a time; a holder that stops renewing loses its lease when it expires.
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

    /// <summary>Takes or renews the lease for <paramref name="holder"/>; false while another holder's lease is live.</summary>
    public Task<bool> TryLeaseAsync(string name, string holder, DateTime now, TimeSpan ttl, CancellationToken ct) =>
        database.RunAsync(async connection =>
        {
            var args = new { name, holder, now = Dialect.ToDbTime(now), until = Dialect.ToDbTime(now + ttl) };
            var taken = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE lease SET holder = @holder, expires_at = @until WHERE name = @name AND (holder = @holder OR expires_at < @now)",
                args, cancellationToken: ct)).ConfigureAwait(false);
            if (taken == 1)
            {
                return true;
            }

            try
            {
                return await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO lease(name, holder, expires_at) VALUES (@name, @holder, @until)", args, cancellationToken: ct)).ConfigureAwait(false) == 1;
            }
            catch (DbException ex) when (Dialect.IsDuplicateKey(ex))
            {
                return false;
            }
        }, ct);

    public Task ReleaseLeaseAsync(string name, string holder, CancellationToken ct) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM lease WHERE name = @name AND holder = @holder", new { name, holder }, cancellationToken: ct)), ct);
}
