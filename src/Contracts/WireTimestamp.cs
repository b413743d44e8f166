using System.Globalization;

namespace StackScope.Contracts;

/// <summary>The wire's timestamp form: <c>YYYY-MM-DD HH:MM:SS</c>, always UTC, no zone suffix.</summary>
public static class WireTimestamp
{
    public const string Format = "yyyy-MM-dd HH:mm:ss";

    public static string ToWire(DateTime utc) =>
        utc.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Parses exactly the wire form; anything else (a 'T', a zone, fractions) is refused.</summary>
    public static bool TryParse(string? text, out DateTime utc)
    {
        if (text is not null && text.Length == Format.Length &&
            DateTime.TryParseExact(text, Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            utc = DateTime.SpecifyKind(parsed, DateTimeKind.Utc);
            return true;
        }

        utc = default;
        return false;
    }

    /// <summary>The second (wire form) that Unix nanoseconds fall in: an event's <c>event_datetime</c> for its <c>time_nano</c>.</summary>
    public static DateTime FromUnixNanos(long unixNanos) => Truncate(DateTime.UnixEpoch.AddTicks(unixNanos / 100));

    /// <summary>Drops sub-second precision so a value survives a round trip through the wire unchanged.</summary>
    public static DateTime Truncate(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
