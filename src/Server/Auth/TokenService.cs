using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StackScope.Server.Storage;

namespace StackScope.Server.Auth;

/// <summary>What a verified token says about its holder.</summary>
internal sealed record TokenGrant(string Role, string Subject);

/// <summary>
/// Issues and verifies bearer tokens. A verified token is cached for <see cref="AuthOptions.TokenCacheSeconds"/> so
/// an agent's every report does not cost a lookup; a revocation (made by the CLI, another process) bites once the
/// entry expires. Only hits are cached: a wrong token always goes to storage, and is rate limited per address.
/// </summary>
internal sealed class TokenService(IAuthStore store, TimeProvider clock, IOptions<AuthOptions> options)
{
    private readonly ConcurrentDictionary<string, (StoredToken Token, long ExpiresAt)> _cache = new(StringComparer.Ordinal);

    public async Task<string?> IssueAsync(string role, string subject, CancellationToken cancellationToken)
    {
        var token = AccessToken.Create(role);
        var stored = new StoredToken(token.Id, role, subject, AccessToken.Hash(token.Secret), clock.GetUtcNow().UtcDateTime, null);
        return await store.AddTokenAsync(stored, cancellationToken).ConfigureAwait(false) ? token.ToString() : null;
    }

    public Task<int> RevokeAsync(string role, string subject, CancellationToken cancellationToken) =>
        store.RevokeTokensAsync(role, subject, clock.GetUtcNow().UtcDateTime, cancellationToken);

    /// <summary>The grant of a live token; null for anything else, without saying which part was wrong.</summary>
    public async Task<TokenGrant?> VerifyAsync(string presented, CancellationToken cancellationToken)
    {
        if (!AccessToken.TryParse(presented, out var token))
        {
            return null;
        }

        var now = clock.GetTimestamp();
        var fromCache = _cache.TryGetValue(token.Id, out var cached) && cached.ExpiresAt > now;
        var stored = fromCache ? cached.Token : await store.FindTokenAsync(token.Id, cancellationToken).ConfigureAwait(false);

        // Constant time over the hashes, so the answer's timing says nothing about how much of the secret matched.
        if (stored is null || stored.RevokedAt is not null || stored.Role != token.Role ||
            !CryptographicOperations.FixedTimeEquals(stored.SecretSha256, AccessToken.Hash(token.Secret)))
        {
            return null;
        }

        if (!fromCache)
        {
            // The expiry is set when storage was asked, never pushed back by use: an agent that reports more
            // often than the cache lifetime must still see its revocation within that lifetime.
            _cache[token.Id] = (stored, now + (long)(options.Value.TokenCacheSeconds * (double)clock.TimestampFrequency));
        }

        return new TokenGrant(stored.Role, stored.Subject);
    }
}
