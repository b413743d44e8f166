using System.Collections.Concurrent;
using System.Security.Claims;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Query;

/// <summary>
/// Histories and searches read ranges of the big tables: one user or token may run only a few at once, so a
/// single client (a script, a scan) cannot occupy the database and the server's threads for everyone else.
/// Past the limit the request is answered 429 at once rather than queued.
/// </summary>
internal sealed class QueryConcurrencyLimiter
{
    public const int MaxPerPrincipal = 4;

    private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);

    public bool TryEnter(string principal)
    {
        while (true)
        {
            var current = _running.GetOrAdd(principal, 0);
            if (current >= MaxPerPrincipal)
            {
                return false;
            }

            if (_running.TryUpdate(principal, current + 1, current))
            {
                return true;
            }
        }
    }

    public void Exit(string principal)
    {
        while (_running.TryGetValue(principal, out var current))
        {
            if (current <= 1 ? _running.TryRemove(new KeyValuePair<string, int>(principal, current)) : _running.TryUpdate(principal, current - 1, current))
            {
                return;
            }
        }
    }

    /// <summary>Who runs the query: the scheme and name of a user or token; in open mode, the client's address.</summary>
    public static string PrincipalKey(ClaimsPrincipal user, System.Net.IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(ClaimTypes.Name)?.Value is { } name
            ? user.Identity?.AuthenticationType + ":" + name
            : "address:" + address;
    }

    /// <summary>An endpoint filter that holds a place for the request's principal while the endpoint runs.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var limiter = http.RequestServices.GetRequiredService<QueryConcurrencyLimiter>();
        var principal = PrincipalKey(http.User, http.Connection.RemoteIpAddress);
        if (!limiter.TryEnter(principal))
        {
            throw new ApiProblemException(StatusCodes.Status429TooManyRequests, ResultCodes.TooManyQueries,
                $"at most {MaxPerPrincipal} history or search queries at once per user or token; retry when one has finished")
            { RetryAfterSeconds = 1 };
        }

        try
        {
            return await next(context).ConfigureAwait(false);
        }
        finally
        {
            limiter.Exit(principal);
        }
    }
}
