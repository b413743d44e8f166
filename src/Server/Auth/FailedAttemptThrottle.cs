using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace StackScope.Server.Auth;

/// <summary>What a failure budget counts: password guesses and bad bearer tokens are kept apart.</summary>
internal enum AttemptKind
{
    SignIn,
    Token,
}

/// <summary>
/// Failed attempts per client address and kind in a fixed window. A sign-in takes its place in the budget before
/// the password is checked and gives it back only when it succeeds, so requests released at once cannot all be
/// checked inside a budget meant for a few. Hand-written rather than System.Threading.RateLimiting: its limiters
/// cannot give a permit back, and a right password must not cost the budget.
/// </summary>
internal sealed class FailedAttemptThrottle(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<(AttemptKind Kind, IPAddress Address), Window> _windows = new();
    private readonly int _limit = Math.Max(1, options.Value.MaxFailures);
    private long _lastSweep;

    public int WindowSeconds { get; } = Math.Max(1, options.Value.FailureWindowSeconds);

    public bool IsBlocked(AttemptKind kind, IPAddress address) =>
        _windows.TryGetValue((kind, address), out var window) && window.Count(clock.GetUtcNow(), WindowSeconds) >= _limit;

    /// <summary>Counts an attempt as failed before it is checked; false (nothing counted) when the budget is spent.</summary>
    public bool TryReserve(AttemptKind kind, IPAddress address) => WindowOf(kind, address).TryAdd(clock.GetUtcNow(), WindowSeconds, _limit);

    /// <summary>The reserved attempt succeeded after all.</summary>
    public void Release(AttemptKind kind, IPAddress address)
    {
        if (_windows.TryGetValue((kind, address), out var window))
        {
            window.Remove();
        }
    }

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

        public void Remove()
        {
            lock (_lock)
            {
                _count = Math.Max(0, _count - 1);
            }
        }
    }
}
