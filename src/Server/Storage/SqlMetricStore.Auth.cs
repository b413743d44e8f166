using System.Data.Common;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>Tokens and users: small tables, read through a cache for tokens, so plain Dapper round trips.</summary>
internal abstract partial class SqlMetricStore : IAuthStore
{
    /// <summary>True when an INSERT failed on a unique key.</summary>
    protected abstract bool IsDuplicateKey(DbException exception);

    private const string TokenColumns = "token_id, role, subject, secret_sha256, created_at, revoked_at";
    private const string UserColumns = "username, password_hash, created_at";

    public async Task<StoredToken?> FindTokenAsync(string tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Role, string Subject, string Secret, object CreatedAt, object? RevokedAt)>(new CommandDefinition(
            $"SELECT {TokenColumns} FROM auth_token WHERE token_id = @tokenId", new { tokenId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(ToToken).FirstOrDefault();
    }

    public async Task<bool> AddTokenAsync(StoredToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The unique (role, subject, live) key refuses a second live token, also when two issue at once.
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO auth_token(token_id, role, subject, secret_sha256, created_at, live) VALUES (@TokenId, @Role, @Subject, @Secret, @CreatedAt, 1)",
                new { token.TokenId, token.Role, token.Subject, Secret = Convert.ToHexStringLower(token.SecretSha256), CreatedAt = ToDbTime(token.CreatedAt) },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (IsDuplicateKey(ex))
        {
            return false;
        }
    }

    public async Task<int> RevokeTokensAsync(string role, string subject, DateTime revokedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE auth_token SET revoked_at = @at, live = NULL WHERE role = @role AND subject = @subject AND revoked_at IS NULL",
            new { role, subject, at = ToDbTime(revokedAt) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredToken>> ListTokensAsync(string role, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Role, string Subject, string Secret, object CreatedAt, object? RevokedAt)>(new CommandDefinition(
            $"SELECT {TokenColumns} FROM auth_token WHERE role = @role ORDER BY subject, created_at", new { role },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(ToToken).ToList();
    }

    public async Task<StoredUser?> FindUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Name, string Hash, object At)>(new CommandDefinition(
            $"SELECT {UserColumns} FROM app_user WHERE username = @username", new { username },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(ToUser).FirstOrDefault();
    }

    public async Task<bool> AddUserAsync(StoredUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var added = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO app_user(username, password_hash, created_at) VALUES (@Username, @PasswordHash, @CreatedAt)",
            new { user.Username, user.PasswordHash, CreatedAt = ToDbTime(user.CreatedAt) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return added == 1;
        }
        catch (DbException ex) when (IsDuplicateKey(ex))
        {
            return false;
        }
    }

    public async Task UpdatePasswordHashAsync(string username, string passwordHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE app_user SET password_hash = @passwordHash WHERE username = @username", new { username, passwordHash },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> RemoveUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM app_user WHERE username = @username", new { username }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<StoredUser>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Name, string Hash, object At)>(new CommandDefinition(
            $"SELECT {UserColumns} FROM app_user ORDER BY username", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(ToUser).ToList();
    }

    private static StoredUser ToUser((string Name, string Hash, object At) row) => new(row.Name, row.Hash, FromDbTime(row.At));

    private static StoredToken ToToken((string Id, string Role, string Subject, string Secret, object CreatedAt, object? RevokedAt) row) => new(
        row.Id, row.Role, row.Subject, Convert.FromHexString(row.Secret), FromDbTime(row.CreatedAt),
        row.RevokedAt is null ? null : FromDbTime(row.RevokedAt));
}
