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
    public static Task<string> AgentTokenAsync(TestDatabase database, string agentId) => IssueAsync(database, TokenRoles.Agent, agentId);

    public static Task<string> ReadTokenAsync(TestDatabase database, string name) => IssueAsync(database, TokenRoles.Read, name);

    private static async Task<string> IssueAsync(TestDatabase database, string role, string subject)
    {
        ArgumentNullException.ThrowIfNull(database);
        var storage = StorageSet.Create(new StorageOptions { Provider = database.Provider, ConnectionString = database.ConnectionString }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None);
        var tokens = new TokenService(storage.Auth, TimeProvider.System, Options.Create(new AuthOptions()));
        return await tokens.IssueAsync(role, subject, CancellationToken.None)
            ?? throw new InvalidOperationException($"'{subject}' already has a {role} token");
    }
}
