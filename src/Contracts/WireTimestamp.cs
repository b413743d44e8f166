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

    /// <summary>
    /// <see cref="TryParse(string?, out DateTime)"/> over the form's UTF-8 bytes, as they stand in a JSON body: the server
    /// reads tens of thousands of these a second, and the string and culture-aware parse were most of their cost.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out DateTime utc)
    {
        utc = default;
        if (utf8.Length != Format.Length || utf8[4] != '-' || utf8[7] != '-' || utf8[10] != ' ' || utf8[13] != ':' || utf8[16] != ':' ||
            !TryDigits(utf8.Slice(0, 4), out var year) || !TryDigits(utf8.Slice(5, 2), out var month) ||
            !TryDigits(utf8.Slice(8, 2), out var day) || !TryDigits(utf8.Slice(11, 2), out var hour) ||
            !TryDigits(utf8.Slice(14, 2), out var minute) || !TryDigits(utf8.Slice(17, 2), out var second) ||
            year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    /// <summary>The second (wire form) that Unix nanoseconds fall in: an event's <c>event_datetime</c> for its <c>time_nano</c>.</summary>
    public static DateTime FromUnixNanos(long unixNanos) => Truncate(DateTime.UnixEpoch.AddTicks(unixNanos / 100));

    /// <summary>Drops sub-second precision so a value survives a round trip through the wire unchanged.</summary>
    public static DateTime Truncate(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
