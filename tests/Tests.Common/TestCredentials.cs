using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Server.Auth;

namespace StackScope.Tests.Common;

/// <summary>
/// Real tokens, issued by the server under test, for tests about something else: a POST of a report carries
/// the token of the agent_id in its body, any other API call a read token. A request that already has an
/// Authorization header is left as it is.
/// </summary>
public sealed partial class TestCredentials(IServiceProvider services) : DelegatingHandler
{
    private const string ReaderName = "test-reader";
    private readonly ConcurrentDictionary<(string Role, string Subject), Task<string>> _tokens = new();

    public Task<string> AgentTokenAsync(string agentId) => TokenAsync(TokenRoles.Agent, agentId);

    public Task<string> ReadTokenAsync() => TokenAsync(TokenRoles.Read, ReaderName);

    private Task<string> TokenAsync(string role, string subject) => _tokens.GetOrAdd((role, subject), async key =>
    {
        var tokens = services.GetRequiredService<TokenService>();
        // A server restarted on the same database still has the earlier live token, whose secret is gone.
        var token = await tokens.IssueAsync(key.Role, key.Subject, CancellationToken.None);
        if (token is null)
        {
            await tokens.RevokeAsync(key.Role, key.Subject, CancellationToken.None);
            token = await tokens.IssueAsync(key.Role, key.Subject, CancellationToken.None);
        }

        return token ?? throw new InvalidOperationException($"could not issue a {key.Role} token for '{key.Subject}'");
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (request.Headers.Authorization is null && path.StartsWith("/api/", StringComparison.Ordinal) && !path.StartsWith("/api/v1/auth/", StringComparison.Ordinal))
        {
            var token = request.Method == HttpMethod.Post && path.EndsWith("/monitor-info", StringComparison.Ordinal)
                ? await AgentTokenAsync(await AgentIdOfAsync(request.Content))
                : await ReadTokenAsync();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private static async Task<string> AgentIdOfAsync(HttpContent? content)
    {
        if (content is null)
        {
            return "test-any";
        }

        var body = await content.ReadAsByteArrayAsync();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("agent_id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                return id.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Deliberately broken bodies: take the id where it can still be seen.
            var match = AgentIdPattern().Match(System.Text.Encoding.UTF8.GetString(body));
            if (match.Success)
            {
                return match.Groups[1].Value;
            }
        }

        return "test-any";
    }

    [GeneratedRegex("\"agent_id\"\\s*:\\s*\"([^\"]*)\"")]
    private static partial Regex AgentIdPattern();
}
