using Microsoft.Extensions.Options;
using StackScope.Server.Auth;
using StackScope.Server.Storage;

namespace StackScope.Bench.Ingest;

/// <summary>Agent tokens for the simulated agents, issued through ss-server's own code into its storage (MySQL or SQLite).</summary>
internal static class BenchTokens
{
    public static async Task<Dictionary<string, string>> IssueAsync(string provider, string connectionString, IEnumerable<string> agents)
    {
        var storage = StorageSet.Create(new StorageOptions { Provider = provider, ConnectionString = connectionString }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var tokens = new TokenService(storage.Auth, TimeProvider.System, Options.Create(new AuthOptions()));
        var issued = new Dictionary<string, string>();
        foreach (var agent in agents)
        {
            await tokens.RevokeAsync(TokenRoles.Agent, agent, CancellationToken.None).ConfigureAwait(false);
            issued[agent] = await tokens.IssueAsync(TokenRoles.Agent, agent, CancellationToken.None).ConfigureAwait(false)
                ?? throw new InvalidOperationException("could not issue a token for " + agent);
        }

        return issued;
    }
}
