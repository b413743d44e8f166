namespace StackScope.Server.Storage;

/// <summary>A stored bearer token: only the SHA-256 of its secret is kept.</summary>
internal sealed record StoredToken(string TokenId, string Role, string Subject, byte[] SecretSha256, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>A dashboard user; <see cref="Role"/> is <c>reader</c> (sees everything) or <c>admin</c> (also manages alert rules and channels).</summary>
internal sealed record StoredUser(string Username, string PasswordHash, DateTime CreatedAt, string Role = UserRoles.Reader);

internal static class UserRoles
{
    public const string Reader = "reader";
    public const string Admin = "admin";

    public static bool IsKnown(string role) => role is Reader or Admin;
}

/// <summary>Tokens and users, in the same database as the reports.</summary>
internal interface IAuthStore
{
    Task<StoredToken?> FindTokenAsync(string tokenId, CancellationToken cancellationToken);

    /// <summary>Adds the token unless <paramref name="token"/>'s subject already holds an unrevoked token of that role; false then.</summary>
    Task<bool> AddTokenAsync(StoredToken token, CancellationToken cancellationToken);

    /// <summary>Revokes every live token of that role and subject; the number revoked.</summary>
    Task<int> RevokeTokensAsync(string role, string subject, DateTime revokedAt, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredToken>> ListTokensAsync(string role, CancellationToken cancellationToken);

    Task<StoredUser?> FindUserAsync(string username, CancellationToken cancellationToken);

    /// <summary>False when the name is taken.</summary>
    Task<bool> AddUserAsync(StoredUser user, CancellationToken cancellationToken);

    Task UpdatePasswordHashAsync(string username, string passwordHash, CancellationToken cancellationToken);

    Task<bool> RemoveUserAsync(string username, CancellationToken cancellationToken);

    /// <summary>False when there is no such user.</summary>
    Task<bool> SetUserRoleAsync(string username, string role, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredUser>> ListUsersAsync(CancellationToken cancellationToken);
}
