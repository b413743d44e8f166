using System.Globalization;

namespace StackScope.Agent.Host;

/// <summary>The host's small /proc files beyond CPU and memory: /proc/loadavg and /proc/uptime.</summary>
internal static class HostExtrasParser
{
    /// <summary>"0.52 0.61 0.70 2/345 6789": the first three fields, as os.getloadavg() and node_exporter's node_load1/5/15.</summary>
    public static (double One, double Five, double Fifteen) LoadAverage(string text)
    {
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 3
            ? (Number(fields[0]), Number(fields[1]), Number(fields[2]))
            : throw new FormatException("/proc/loadavg has fewer than three fields");
    }

    /// <summary>"12345.67 23456.78": seconds since boot, whole (the first field).</summary>
    public static long UptimeSeconds(string text)
    {
        var first = text.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var value, ..] ? value : throw new FormatException("/proc/uptime is empty");
        return (long)Math.Floor(Number(first));
    }

    private static double Number(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a number");
}
