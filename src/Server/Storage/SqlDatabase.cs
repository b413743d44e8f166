using System.Data.Common;

namespace StackScope.Server.Storage;

/// <summary>
/// The storage boundary: every storage class reaches the database through here, and every provider failure
/// that means "database away" leaves as <see cref="StorageUnavailableException"/>. Other failures (a defect,
/// data the database refused) pass through unchanged.
/// </summary>
internal sealed class SqlDatabase(SqlDialect dialect) : IDisposable
{
    private const int MaxConflictAttempts = 4;

    // Requests and background work can wait longer than the ingest writer's threads, which hold a batch of reports.
    private const int MaxAsyncConflictAttempts = 10;

    private readonly SemaphoreSlim? _queryPlaces = dialect.MaxConcurrentQueries is { } places ? new SemaphoreSlim(places) : null;

    public SqlDialect Dialect => dialect;

    public async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_queryPlaces is not null)
        {
            await _queryPlaces.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await work(connection).ConfigureAwait(false);
                }
                catch (DbException ex) when (attempt < MaxAsyncConflictAttempts && dialect.IsConflict(ex))
                {
                    // The database rolled the work's transaction back as a conflict with another (many rule imports at
                    // once, Galera's certification): run it again after a growing random pause, not "storage away".
                    await Task.Delay(Random.Shared.Next(5, 25) * (1 << Math.Min(attempt, 5)), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && dialect.IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
        catch (DbException ex) when (dialect.IsConflict(ex))
        {
            // Still conflicting after the retries: busy, so 503 and a retry later; the database is there, the pool kept.
            throw new StorageUnavailableException("storage busy: the write kept conflicting with others, retry: " + ex.Message, ex);
        }
        finally
        {
            _queryPlaces?.Release();
        }
    }

    public void Dispose() => _queryPlaces?.Dispose();

    public async Task RunAsync(Func<DbConnection, Task> work, CancellationToken cancellationToken) =>
        await RunAsync<bool>(async connection =>
        {
            await work(connection).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Blocking variant for the ingest writer's dedicated threads. <paramref name="work"/> is one transaction: when the
    /// database rolls it back as a conflict with another (InnoDB's deadlock victim: two writer loops inserting the same
    /// keys, an agent resending what is still in flight), it is run again, a few times, as the database asks.
    /// </summary>
    public void Run(Action<DbConnection> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            using var connection = dialect.Open();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    work(connection);
                    return;
                }
                catch (DbException ex) when (attempt < MaxConflictAttempts && dialect.IsConflict(ex))
                {
                    Thread.Sleep(Random.Shared.Next(5, 25) * attempt);
                }
            }
        }
        catch (Exception ex) when (dialect.IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
        catch (DbException ex) when (dialect.IsConflict(ex))
        {
            // Still conflicting after the retries (replicated DDL aborting each try on Galera): busy, so 503 and the agent
            // resends; never "the database refused this report", which would split the batch and answer 500.
            throw new StorageUnavailableException("storage busy: the write kept conflicting with others, retry: " + ex.Message, ex);
        }
    }

    /// <summary>Round trip to the database; throws <see cref="StorageUnavailableException"/> when it cannot be reached.</summary>
    public Task PingAsync(CancellationToken cancellationToken) =>
        RunAsync(connection => ExecuteAsync(connection, null, "SELECT 1", cancellationToken), cancellationToken);

    public static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static void AddParameter(DbCommand command, string name, object value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private StorageUnavailableException Unavailable(Exception cause)
    {
        // The translation, not the check, acts: pooled connections may point at a server that went away.
        dialect.ForgetIdleConnections();
        return new StorageUnavailableException("storage unavailable: " + cause.Message, cause);
    }
}
