namespace StackScope.Server.Storage;

internal sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary><c>sqlite</c> (default, embedded) or <c>mysql</c> (MySQL / MariaDB).</summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>Empty means the SQLite file <c>data/stackscope.db</c> under the content root.</summary>
    public string ConnectionString { get; set; } = "";
}
