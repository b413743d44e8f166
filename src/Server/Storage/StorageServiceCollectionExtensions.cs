using Microsoft.Extensions.Options;

namespace StackScope.Server.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>Registers each storage concern on its own, all over the one configured database.</summary>
    public static IServiceCollection AddStackScopeStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp => StorageSet.Create(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, Directory.GetCurrentDirectory(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Database);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Migrator);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Reports);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Queries);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Auth);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Alerts);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Leases);
        services.AddSingleton(sp => sp.GetRequiredService<StorageSet>().Retention);
        services.AddSingleton<SchemaGate>();
        // First of the hosted services: those registered after it find the schema in place.
        services.AddHostedService<SchemaAtStart>();
        return services;
    }
}
