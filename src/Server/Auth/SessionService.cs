using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using StackScope.Server.Storage;

namespace StackScope.Server.Auth;

/// <summary>
/// Server-side sessions behind the cookie: each sign-in stores a session row, and a cookie is honoured only while
/// its row exists (asked of storage at most every <see cref="AuthOptions.SessionCheckSeconds"/>). Sign-out deletes
/// the row, user removal and a password change delete all of the user's rows, so every server process sharing the
/// database stops accepting those cookies within seconds; a copied cookie dies with its session.
/// </summary>
internal sealed class SessionService(ISessionStore store, TimeProvider clock, IOptions<AuthOptions> options)
{
    public const string SessionIdClaim = "stackscope:sid";

    private readonly ConcurrentDictionary<string, (string Username, long CheckedAt)> _live = new(StringComparer.Ordinal);

    public async Task<string> StartAsync(string username, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await store.AddAsync(id, username, clock.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        return id;
    }

    public async Task<bool> IsLiveAsync(string sessionId, string username, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        var window = (long)(options.Value.SessionCheckSeconds * (double)clock.TimestampFrequency);
        if (_live.TryGetValue(sessionId, out var known) && now - known.CheckedAt < window)
        {
            return known.Username == username;
        }

        var owner = await store.FindUserAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            _live.TryRemove(sessionId, out _);
            return false;
        }

        _live[sessionId] = (owner, now);
        return owner == username;
    }

    public async Task EndAsync(string sessionId, CancellationToken cancellationToken)
    {
        _live.TryRemove(sessionId, out _);
        await store.RemoveAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> EndAllOfUserAsync(string username, CancellationToken cancellationToken)
    {
        foreach (var (id, session) in _live)
        {
            if (session.Username == username)
            {
                _live.TryRemove(id, out _);
            }
        }

        return await store.RemoveAllOfUserAsync(username, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cookie handler's check on every request that carries a session cookie.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionService>();
        var id = context.Principal?.FindFirst(SessionIdClaim)?.Value;
        var name = context.Principal?.Identity?.Name;
        if (id is null || name is null || !await sessions.IsLiveAsync(id, name, context.HttpContext.RequestAborted).ConfigureAwait(false))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AuthSchemes.Session).ConfigureAwait(false);
        }
    }
}
