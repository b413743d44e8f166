using System.Data.Common;
using MySqlConnector;

namespace StackScope.Tests.Common;

/// <summary>A fresh database on the MariaDB server the test script started; dropped afterwards.</summary>
public sealed class MariaDbTestDatabase : TestDatabase
{
    private readonly string _name = "ss_t_" + Guid.NewGuid().ToString("N")[..16];
    private readonly string _server;

    public MariaDbTestDatabase() : this(MariaDb.ServerConnectionString)
    {
    }

    public MariaDbTestDatabase(string serverConnectionString) => _server = serverConnectionString;

    private MariaDbTestDatabase(string serverConnectionString, string name)
    {
        _server = serverConnectionString;
        _name = name;
    }

    /// <summary>The same database reached through another server (another node of a cluster).</summary>
    public MariaDbTestDatabase Through(string serverConnectionString) => new(serverConnectionString, _name);

    public override string Provider => "mysql";

    public override string ConnectionString => new MySqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;

    protected override DbConnection CreateConnection() => new MySqlConnection(ConnectionString);

    public override string PoisonTriggerSql(string containerName) =>
        $"CREATE TRIGGER poison_{containerName.Replace('-', '_')} BEFORE INSERT ON container FOR EACH ROW " +
        $"BEGIN IF NEW.container_name = '{containerName}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row'; END IF; END";

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = new MySqlConnection(_server);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS `{_name}`";
            await command.ExecuteNonQueryAsync();
        }
        catch (MySqlException)
        {
            // The outage tests stop their server; its data folder goes with it.
        }
    }
}
