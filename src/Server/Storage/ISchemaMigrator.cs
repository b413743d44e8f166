namespace StackScope.Server.Storage;

internal interface ISchemaMigrator
{
    /// <summary>Creates or upgrades the schema; running it again changes nothing.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);
}
