using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using StackScope.Server.Storage;

namespace StackScope.Server.Auth;

/// <summary>
/// Dashboard users. Passwords are kept as ASP.NET Core Identity's PBKDF2 (HMAC-SHA512) hashes; a hash made with
/// fewer iterations than today's setting is upgraded at the next successful sign-in.
/// </summary>
internal sealed class UserService
{
    public const int MinPasswordLength = 12;
    public const int MaxUsernameLength = 64;

    private readonly IAuthStore _store;
    private readonly SessionService _sessions;
    private readonly TimeProvider _clock;
    private readonly PasswordHasher<string> _hasher;
    private readonly Lazy<string> _decoyHash;

    public UserService(IAuthStore store, SessionService sessions, TimeProvider clock)
    {
        _store = store;
        _sessions = sessions;
        _clock = clock;
        // OWASP's 2023 figure for PBKDF2-HMAC-SHA512; the framework's default is 100,000.
        _hasher = new PasswordHasher<string>(Options.Create(new PasswordHasherOptions { IterationCount = 210_000 }));
        _decoyHash = new Lazy<string>(() => _hasher.HashPassword("", Guid.NewGuid().ToString()));
    }

    public static string? UsernameProblem(string? username) =>
        username is null || username.Length is 0 or > MaxUsernameLength ||
        !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@')
            ? $"username: 1-{MaxUsernameLength} characters of letters, digits and . _ - @"
            : null;

    public static string? PasswordProblem(string? password) =>
        password is null || password.Length < MinPasswordLength ? $"password: at least {MinPasswordLength} characters" : null;

    public async Task<bool> AddAsync(string username, string password, CancellationToken cancellationToken, string role = UserRoles.Reader)
    {
        var user = new StoredUser(username, _hasher.HashPassword(username, password), _clock.GetUtcNow().UtcDateTime, role);
        return await _store.AddUserAsync(user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the user and ends every session of theirs; false when there was no such user.</summary>
    public async Task<bool> RemoveAsync(string username, CancellationToken cancellationToken)
    {
        var removed = await _store.RemoveUserAsync(username, cancellationToken).ConfigureAwait(false);
        await _sessions.EndAllOfUserAsync(username, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Sets a new password and ends every session of the user; false when there is no such user.</summary>
    public async Task<bool> ChangePasswordAsync(string username, string password, CancellationToken cancellationToken)
    {
        if (await _store.FindUserAsync(username, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        await _store.UpdatePasswordHashAsync(username, _hasher.HashPassword(username, password), cancellationToken).ConfigureAwait(false);
        await _sessions.EndAllOfUserAsync(username, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Sets the role and ends every session of the user (their cookies carry the old role); false when there is no such user.</summary>
    public async Task<bool> SetRoleAsync(string username, string role, CancellationToken cancellationToken)
    {
        if (!await _store.SetUserRoleAsync(username, role, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await _sessions.EndAllOfUserAsync(username, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The user for the right password of an existing user, else null. An unknown name costs the same hash as a known one.</summary>
    public async Task<StoredUser?> VerifyAsync(string username, string password, CancellationToken cancellationToken)
    {
        var user = UsernameProblem(username) is null ? await _store.FindUserAsync(username, cancellationToken).ConfigureAwait(false) : null;
        var result = _hasher.VerifyHashedPassword(username, user?.PasswordHash ?? _decoyHash.Value, password);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await _store.UpdatePasswordHashAsync(username, _hasher.HashPassword(username, password), cancellationToken).ConfigureAwait(false);
        }

        return user;
    }
}
