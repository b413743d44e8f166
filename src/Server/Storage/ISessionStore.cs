namespace StackScope.Server.Storage;

/// <summary>Dashboard sessions: a cookie is honoured only while its session row exists.</summary>
internal interface ISessionStore
{
    Task AddAsync(string sessionId, string username, DateTime createdAt, CancellationToken cancellationToken);

    /// <summary>The session's user, or null when the session was ended (or never existed).</summary>
    Task<string?> FindUserAsync(string sessionId, CancellationToken cancellationToken);

    Task RemoveAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Ends every session of the user (removal, password change); the number ended.</summary>
    Task<int> RemoveAllOfUserAsync(string username, CancellationToken cancellationToken);
}
