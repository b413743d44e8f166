using System.Globalization;

namespace StackScope.Agent.Host;

/// <summary>Reads MemTotal and MemAvailable (kB) from /proc/meminfo text.</summary>
internal static class MemInfoParser
{
    public static (ulong TotalKiB, ulong AvailableKiB) Parse(string text)
    {
        ulong? total = null, available = null, free = null, buffers = null, cached = null;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            if (value.EndsWith("kB"))
            {
                value = value[..^2].TrimEnd();
            }

            if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                continue;
            }

            switch (line[..colon])
            {
                case "MemTotal": total = kib; break;
                case "MemAvailable": available = kib; break;
                case "MemFree": free = kib; break;
                case "Buffers": buffers = kib; break;
                case "Cached": cached = kib; break;
            }
        }

        if (total is not { } t || t == 0)
        {
            throw new FormatException("/proc/meminfo has no MemTotal");
        }

        // MemAvailable exists since Linux 3.14; before it, free + buffers + cache is what psutil falls back to.
        var avail = available ?? ((free ?? 0) + (buffers ?? 0) + (cached ?? 0));
        return (t, Math.Min(avail, t));
    }
}
