using StackScope.Server.Storage.MySql;
using StackScope.Server.Storage.Sqlite;

namespace StackScope.Server.Storage;

internal static class MetricStoreFactory
{
    /// <summary>Builds the configured store; an unknown provider stops the server at start with the key named.</summary>
    public static IMetricStore Create(StorageOptions options, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider.Trim().ToLowerInvariant() switch
        {
            StorageProviders.Sqlite => new SqliteMetricStore(
                options.ConnectionString.Length > 0
                    ? options.ConnectionString
                    : $"Data Source={Path.Combine(workingDirectory, "data", "stackscope.db")}"),
            StorageProviders.MySql when options.ConnectionString.Length == 0 =>
                throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is 'mysql'."),
            StorageProviders.MySql => new MySqlMetricStore(options.ConnectionString),
            _ => throw new InvalidOperationException(
                $"Storage:Provider '{options.Provider}' is not known; use '{StorageProviders.Sqlite}' or '{StorageProviders.MySql}'."),
        };
    }
}
