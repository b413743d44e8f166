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
