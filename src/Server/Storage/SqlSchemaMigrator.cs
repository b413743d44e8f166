using System.Globalization;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>Applies the dialect's versioned migrations that <c>schema_version</c> does not list yet, each in its own transaction.</summary>
internal sealed class SqlSchemaMigrator(SqlDatabase database, TimeProvider clock) : ISchemaMigrator
{
    public Task MigrateAsync(CancellationToken cancellationToken) => database.RunAsync(async connection =>
    {
        var dialect = database.Dialect;
        var schemaLock = await dialect.LockSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            await SqlDatabase.ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at VARCHAR(32) NOT NULL)",
                cancellationToken).ConfigureAwait(false);
            var applied = (await connection.QueryAsync<long>(new CommandDefinition("SELECT version FROM schema_version", cancellationToken: cancellationToken))
                .ConfigureAwait(false)).ToHashSet();

            foreach (var migration in dialect.Migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                foreach (var statement in migration.Statements)
                {
                    await SqlDatabase.ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_version(version, name, applied_at) VALUES (@v, @n, @a)",
                    new { v = migration.Version, n = migration.Name, a = clock.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture) },
                    transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (schemaLock is not null)
            {
                await schemaLock.DisposeAsync().ConfigureAwait(false);
            }
        }
    }, cancellationToken);
}
