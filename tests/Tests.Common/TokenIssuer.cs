using Microsoft.Extensions.Options;
using StackScope.Server.Auth;
using StackScope.Server.Storage;

namespace StackScope.Tests.Common;

/// <summary>
/// Issues agent tokens straight into a test database through the server's own code, as `ss-server agent add`
/// does, for tests whose server runs as a separate process (and without paying a CLI start per agent).
/// </summary>
public static class TokenIssuer
{
    public static async Task<string> AgentTokenAsync(TestDatabase database, string agentId)
    {
        ArgumentNullException.ThrowIfNull(database);
        var storage = StorageSet.Create(new StorageOptions { Provider = database.Provider, ConnectionString = database.ConnectionString }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None);
        var tokens = new TokenService(storage.Auth, TimeProvider.System, Options.Create(new AuthOptions()));
        return await tokens.IssueAsync(TokenRoles.Agent, agentId, CancellationToken.None)
            ?? throw new InvalidOperationException($"'{agentId}' already has a token");
    }
}
