using System.Globalization;

namespace StackScope.Agent.Engines;

/// <summary>
/// The engines' RFC 3339 times with nanoseconds ("2026-11-26T07:10:00.123456789Z") as Unix nanoseconds. DateTime
/// keeps only 100 ns, and an event reconstructed from inspect must key exactly as the same one reconstructed later.
/// </summary>
internal static class EngineTime
{
    /// <summary>0 for absent, unparsable or the engines' "never" (0001-01-01T00:00:00Z).</summary>
    public static long ToUnixNanos(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        // Split off the fraction, which may have up to 9 digits; the rest (with its zone) parses as usual.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        long fraction = 0;
        var whole = text;
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            var digits = text[(dot + 1)..end];
            if (digits.Length is 0 or > 9)
            {
                return 0;
            }

            fraction = long.Parse(digits.PadRight(9, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
            whole = string.Concat(text.AsSpan(0, dot), text.AsSpan(end));
        }

        if (!DateTimeOffset.TryParse(whole, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || at.Year < 1971)
        {
            return 0;
        }

        return (at.ToUnixTimeSeconds() * 1_000_000_000L) + fraction;
    }

    public static DateTime ToUtc(long unixNanos) => DateTime.UnixEpoch.AddTicks(unixNanos / 100);

    public static long ToUnixNanos(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

    /// <summary>
    /// How far an engine's time may lie ahead of the agent's clock (a remote tcp:// engine's clock) before it waits or
    /// is left out: the server refuses a report with a time more than 300 s ahead of its own, the rest is margin.
    /// </summary>
    public static readonly TimeSpan MaxAheadOfAgent = TimeSpan.FromMinutes(1);
}
