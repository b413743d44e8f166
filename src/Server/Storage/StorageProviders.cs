namespace StackScope.Server.Storage;

internal static class StorageProviders
{
    public const string Sqlite = "sqlite";
    public const string MySql = "mysql";
}
