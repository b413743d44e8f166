using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace StackScope.Server.Auth;

/// <summary>What a failure budget counts. Sign-ins are counted in the database (<see cref="SignInBudget"/>).</summary>
internal enum AttemptKind
{
    Token,
}

/// <summary>
/// Failed attempts per client address and kind in a fixed window, in this process. Bad bearer tokens are counted here,
/// not in the shared database: a token is 256 random bits (no guess can succeed, so a budget per replica loses
/// nothing), and a write per bad request would hand a flood of them to the database. Hand-written rather than
/// System.Threading.RateLimiting, whose limiters cannot say whether an address is already over its budget without
/// taking a permit.
/// </summary>
internal sealed class FailedAttemptThrottle(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<(AttemptKind Kind, IPAddress Address), Window> _windows = new();
    private readonly int _limit = Math.Max(1, options.Value.MaxFailures);
    private long _lastSweep;

    public int WindowSeconds { get; } = Math.Max(1, options.Value.FailureWindowSeconds);

    public bool IsBlocked(AttemptKind kind, IPAddress address) =>
        _windows.TryGetValue((kind, address), out var window) && window.Count(clock.GetUtcNow(), WindowSeconds) >= _limit;

    public void RecordFailure(AttemptKind kind, IPAddress address) => WindowOf(kind, address).TryAdd(clock.GetUtcNow(), WindowSeconds, int.MaxValue);

    public static IPAddress ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress ?? IPAddress.None;

    private Window WindowOf(AttemptKind kind, IPAddress address)
    {
        var now = clock.GetUtcNow();
        // Addresses whose window ended are forgotten now and then, so a scan from many addresses cannot grow this for ever.
        if (now.ToUnixTimeSeconds() - Interlocked.Read(ref _lastSweep) > WindowSeconds && _windows.Count > 1024)
        {
            Interlocked.Exchange(ref _lastSweep, now.ToUnixTimeSeconds());
            foreach (var (key, stale) in _windows)
            {
                if (stale.Count(now, WindowSeconds) == 0)
                {
                    _windows.TryRemove(key, out _);
                }
            }
        }

        return _windows.GetOrAdd((kind, address), _ => new Window());
    }

    private sealed class Window
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _start;
        private int _count;

        public int Count(DateTimeOffset now, int seconds)
        {
            lock (_lock)
            {
                return now - _start >= TimeSpan.FromSeconds(seconds) ? 0 : _count;
            }
        }

        public bool TryAdd(DateTimeOffset now, int seconds, int limit)
        {
            lock (_lock)
            {
                if (now - _start >= TimeSpan.FromSeconds(seconds))
                {
                    _start = now;
                    _count = 0;
                }

                if (_count >= limit)
                {
                    return false;
                }

                _count++;
                return true;
            }
        }
    }
}
