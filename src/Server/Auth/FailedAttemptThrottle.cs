using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace StackScope.Server.Auth;

/// <summary>
/// Counts failed sign-ins and bad tokens per client address; past <see cref="AuthOptions.MaxFailures"/> in a window,
/// that address is answered 429 before its credentials are even looked at, so guessing is slow whatever is guessed.
/// </summary>
internal sealed class FailedAttemptThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _failures;

    public FailedAttemptThrottle(IOptions<AuthOptions> options)
    {
        var settings = options.Value;
        WindowSeconds = Math.Max(1, settings.FailureWindowSeconds);
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, settings.MaxFailures),
                Window = TimeSpan.FromSeconds(WindowSeconds),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public int WindowSeconds { get; }

    public bool IsBlocked(IPAddress address) => _failures.GetStatistics(address)?.CurrentAvailablePermits <= 0;

    public void RecordFailure(IPAddress address)
    {
        using var lease = _failures.AttemptAcquire(address);
    }

    public void Dispose() => _failures.Dispose();

    public static IPAddress ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress ?? IPAddress.None;
}
