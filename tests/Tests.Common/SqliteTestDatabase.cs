using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace StackScope.Tests.Common;

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ss-test-" + Guid.NewGuid().ToString("N"));

    public override string Provider => "sqlite";

    public override string ConnectionString => $"Data Source={Path.Combine(_folder, "stackscope.db")}";

    protected override DbConnection CreateConnection() => new SqliteConnection(ConnectionString);

    public override string PoisonTriggerSql(string containerName) =>
        $"CREATE TRIGGER poison_{containerName} BEFORE INSERT ON container WHEN NEW.container_name = '{containerName}' " +
        "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END";

    /// <summary>
    /// Takes the file's write lock from a connection of the test's own and holds it until disposed (rolled back):
    /// the server's writers wait on it, its readers must not.
    /// </summary>
    public async Task<IAsyncDisposable> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO schema_version(version, name, applied_at) VALUES (999, 'lock', 'x')";
            await command.ExecuteNonQueryAsync();
        }

        return new WriteLock(connection, transaction);
    }

    private sealed class WriteLock(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }

        return ValueTask.CompletedTask;
    }
}
