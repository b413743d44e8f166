using System.Data.Common;
using StackScope.Server.Storage;

namespace StackScope.Server.Coordination;

/// <summary>
/// One singleton job's hold on its lease, the one way every background job that must run in one server process at a
/// time (alert evaluation, maintenance) takes, keeps and gives back its turn. The lease ends on the database's clock
/// (<see cref="SqlLeaseStore"/>); this process only measures how long ago it renewed, on its own monotonic clock,
/// to renew at a third of the lease's time, so it stops acting as the holder well before another may take over.
/// </summary>
internal sealed class Lease(SqlLeaseStore store, string name, TimeSpan time, TimeProvider clock)
{
    private static readonly TimeSpan RetryWhenHeldElsewhere = TimeSpan.FromSeconds(1);

    private long _checkedAt;
    private bool _checkedOnce;

    public string Holder { get; } = SqlLeaseStore.NewHolder();

    private volatile bool _held;

    /// <summary>Whether this process held the lease at its last check (read by other threads of the job).</summary>
    public bool Held
    {
        get => _held;
        private set => _held = value;
    }

    /// <summary>
    /// True while this process holds the lease: renewed when a third of its time has passed since the last renewal;
    /// while another holds it, asked again at most once a second.
    /// </summary>
    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        if (_checkedOnce && clock.GetElapsedTime(_checkedAt) < (Held ? time / 3 : RetryWhenHeldElsewhere))
        {
            return Held;
        }

        // Measured from before the round trip: the database's expiry starts no earlier than this.
        var asked = clock.GetTimestamp();
        try
        {
            Held = await store.TryLeaseAsync(name, Holder, time, ct).ConfigureAwait(false);
        }
        catch
        {
            // Unknown whether the renewal landed: act as not holding it, and ask again at the next call.
            Held = false;
            _checkedOnce = false;
            throw;
        }

        _checkedAt = asked;
        _checkedOnce = true;
        return Held;
    }

    /// <summary>Hands the lease over at once (a clean stop, a finished run) instead of when it runs out.</summary>
    public async Task ReleaseAsync()
    {
        if (!Held)
        {
            return;
        }

        Held = false;
        _checkedOnce = false;
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await store.ReleaseLeaseAsync(name, Holder, quick.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or DbException or OperationCanceledException)
        {
            // It runs out by itself.
        }
    }
}
