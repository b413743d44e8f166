using System.Data.Common;
using Dapper;

namespace StackScope.Server.Storage;

/// <summary>Tokens and users: small tables, read through a cache for tokens, so plain Dapper round trips.</summary>
internal sealed class SqlAuthStore(SqlDatabase database) : IAuthStore
{
    private SqlDialect Dialect => database.Dialect;

    private const string TokenColumns = "token_id, role, subject, secret_sha256, created_at, revoked_at";
    private const string UserColumns = "username, password_hash, created_at, role";

    public Task<StoredToken?> FindTokenAsync(string tokenId, CancellationToken cancellationToken)
    {
        return database.RunAsync<StoredToken?>(async connection =>
        {
            var rows = await connection.QueryAsync<(string Id, string Role, string Subject, string Secret, object CreatedAt, object? RevokedAt)>(new CommandDefinition(
                $"SELECT {TokenColumns} FROM auth_token WHERE token_id = @tokenId", new { tokenId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(ToToken).FirstOrDefault();
        }, cancellationToken);
    }

    public Task<bool> AddTokenAsync(StoredToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return database.RunAsync<bool>(async connection =>
        {
            try
            {
                // The unique (role, subject, live) key refuses a second live token, also when two issue at once.
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO auth_token(token_id, role, subject, secret_sha256, created_at, live) VALUES (@TokenId, @Role, @Subject, @Secret, @CreatedAt, 1)",
                    new { token.TokenId, token.Role, token.Subject, Secret = Convert.ToHexStringLower(token.SecretSha256), CreatedAt = Dialect.ToDbTime(token.CreatedAt) },
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                return true;
            }
            catch (DbException ex) when (Dialect.IsDuplicateKey(ex))
            {
                return false;
            }
        }, cancellationToken);
    }

    public Task<int> RevokeTokensAsync(string role, string subject, DateTime revokedAt, CancellationToken cancellationToken)
    {
        return database.RunAsync<int>(async connection =>
        {
            return await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE auth_token SET revoked_at = @at, live = NULL WHERE role = @role AND subject = @subject AND revoked_at IS NULL",
                new { role, subject, at = Dialect.ToDbTime(revokedAt) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<StoredToken>> ListTokensAsync(string role, CancellationToken cancellationToken)
    {
        return database.RunAsync<IReadOnlyList<StoredToken>>(async connection =>
        {
            var rows = await connection.QueryAsync<(string Id, string Role, string Subject, string Secret, object CreatedAt, object? RevokedAt)>(new CommandDefinition(
                $"SELECT {TokenColumns} FROM auth_token WHERE role = @role ORDER BY subject, created_at", new { role },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(ToToken).ToList();
        }, cancellationToken);
    }

    public Task<StoredUser?> FindUserAsync(string username, CancellationToken cancellationToken)
    {
        return database.RunAsync<StoredUser?>(async connection =>
        {
            var rows = await connection.QueryAsync<(string Name, string Hash, object At, string Role)>(new CommandDefinition(
                $"SELECT {UserColumns} FROM app_user WHERE username = @username", new { username },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(ToUser).FirstOrDefault();
        }, cancellationToken);
    }

    public Task<bool> AddUserAsync(StoredUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return database.RunAsync<bool>(async connection =>
        {
            try
            {
                var added = await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO app_user(username, password_hash, created_at, role) VALUES (@Username, @PasswordHash, @CreatedAt, @Role)",
                new { user.Username, user.PasswordHash, CreatedAt = Dialect.ToDbTime(user.CreatedAt), user.Role }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return added == 1;
            }
            catch (DbException ex) when (Dialect.IsDuplicateKey(ex))
            {
                return false;
            }
        }, cancellationToken);
    }

    public Task UpdatePasswordHashAsync(string username, string passwordHash, CancellationToken cancellationToken)
    {
        return database.RunAsync(async connection =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE app_user SET password_hash = @passwordHash WHERE username = @username", new { username, passwordHash },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<bool> RemoveUserAsync(string username, CancellationToken cancellationToken)
    {
        return database.RunAsync<bool>(async connection =>
        {
            return await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM app_user WHERE username = @username", new { username }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    public Task<bool> SetUserRoleAsync(string username, string role, CancellationToken cancellationToken)
    {
        return database.RunAsync<bool>(async connection =>
        {
            return await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE app_user SET role = @role WHERE username = @username", new { username, role }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<StoredUser>> ListUsersAsync(CancellationToken cancellationToken)
    {
        return database.RunAsync<IReadOnlyList<StoredUser>>(async connection =>
        {
            var rows = await connection.QueryAsync<(string Name, string Hash, object At, string Role)>(new CommandDefinition(
                $"SELECT {UserColumns} FROM app_user ORDER BY username", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(ToUser).ToList();
        }, cancellationToken);
    }

    private StoredUser ToUser((string Name, string Hash, object At, string Role) row) => new(row.Name, row.Hash, Dialect.FromDbTime(row.At), row.Role);

    private StoredToken ToToken((string Id, string Role, string Subject, string Secret, object CreatedAt, object? RevokedAt) row) => new(
        row.Id, row.Role, row.Subject, Convert.FromHexString(row.Secret), Dialect.FromDbTime(row.CreatedAt),
        row.RevokedAt is null ? null : Dialect.FromDbTime(row.RevokedAt));
}
