using System.Net;
using Microsoft.Extensions.Options;
using StackScope.Server.Storage;

namespace StackScope.Server.Auth;

/// <summary>
/// The sign-in budget per client address (<see cref="AuthOptions.MaxFailures"/> in <see cref="AuthOptions.FailureWindowSeconds"/>),
/// shared by every server process on the database. A sign-in takes its place before the password is checked and gives
/// it back only when it succeeds, so requests released at once cannot all be checked inside a budget meant for a few.
/// </summary>
internal sealed class SignInBudget(SqlSignInAttempts attempts, SchemaGate schema, IOptions<AuthOptions> options)
{
    private readonly int _limit = Math.Max(1, options.Value.MaxFailures);

    public int WindowSeconds { get; } = Math.Max(1, options.Value.FailureWindowSeconds);

    /// <summary>Counts the attempt as failed before it is checked; false (nothing counted) when the budget is spent.</summary>
    public async Task<bool> TryReserveAsync(IPAddress address, CancellationToken ct)
    {
        await schema.EnsureAsync(ct).ConfigureAwait(false);
        return await attempts.TryCountAsync(address.ToString(), _limit, WindowSeconds, ct).ConfigureAwait(false);
    }

    /// <summary>The reserved attempt succeeded after all.</summary>
    public Task ReleaseAsync(IPAddress address, CancellationToken ct) => attempts.ReleaseAsync(address.ToString(), ct);
}
