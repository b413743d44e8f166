using Dapper;

namespace StackScope.Server.Storage;

/// <summary>
/// The keys that sign and encrypt session cookies and CSRF tokens (ASP.NET Core Data Protection's key ring, one XML
/// element per key), kept in the database every server process shares: a cookie issued by one replica works on all,
/// where keys on each server's own disk signed a browser out whenever a load balancer moved it.
/// </summary>
internal sealed class SharedKeys(SqlDatabase database)
{
    public const string MySqlTable =
        "CREATE TABLE IF NOT EXISTS protection_key (name VARCHAR(128) NOT NULL PRIMARY KEY, xml MEDIUMTEXT NOT NULL) " +
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

    public const string SqliteTable = "CREATE TABLE protection_key (name TEXT NOT NULL PRIMARY KEY, xml TEXT NOT NULL)";

    // Data Protection reads and writes its key ring synchronously: these block, on the storage's own connection.
    public IReadOnlyList<(string Name, string Xml)> All()
    {
        IReadOnlyList<(string, string)> keys = [];
        database.Run(connection => keys = connection.Query<(string, string)>("SELECT name, xml FROM protection_key ORDER BY name").ToList());
        return keys;
    }

    /// <summary>Adds a key; a name already there is kept as it is (keys never change once written).</summary>
    public void Add(string name, string xml) =>
        database.Run(connection =>
        {
            try
            {
                connection.Execute("INSERT INTO protection_key(name, xml) VALUES (@name, @xml)", new { name, xml });
            }
            catch (System.Data.Common.DbException ex) when (database.Dialect.IsDuplicateKey(ex))
            {
                // Another server wrote the same key (from the same old key file) first.
            }
        });
}
