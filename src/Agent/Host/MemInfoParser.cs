using System.Globalization;

namespace StackScope.Agent.Host;

/// <summary>
/// MemTotal and the memory available to new processes (kB) from /proc/meminfo, by psutil's rules (psutil >= 7.1,
/// _pslinux.py virtual_memory and calculate_avail_vmem): MemAvailable; when it exceeds MemTotal (LXCFS inside LXC
/// containers) MemFree instead; without it (kernels before 3.14) the kernel's own estimate redone from the zones' low
/// watermarks in /proc/zoneinfo, or MemFree + Cached when those are missing.
/// </summary>
internal static class MemInfoParser
{
    public static (ulong TotalKiB, ulong AvailableKiB) Parse(string meminfo, string? zoneinfo = null, int pageKiB = 4) =>
        Parse(meminfo, () => zoneinfo, pageKiB);

    /// <summary>As above, /proc/zoneinfo read through <paramref name="zoneinfo"/> only when the estimate needs it.</summary>
    public static (ulong TotalKiB, ulong AvailableKiB) Parse(string meminfo, Func<string?> zoneinfo, int pageKiB)
    {
        var values = Values(meminfo);
        if (values.GetValueOrDefault("MemTotal") is not (> 0 and var total))
        {
            throw new FormatException("/proc/meminfo has no MemTotal");
        }

        var free = values.GetValueOrDefault("MemFree");
        // A MemAvailable of 0 is a kernel fault psutil (and free(1)) answer with the estimate, as for a kernel without it.
        var available = values.TryGetValue("MemAvailable", out var reported) && reported > 0 ? reported : Estimate(values, zoneinfo(), pageKiB);
        if (available > total)
        {
            available = free;
        }

        return (total, Math.Min(available, total));
    }


    /// <summary>SwapTotal and SwapTotal - SwapFree (kB), as psutil's swap_memory and free(1) count them.</summary>
    public static (ulong TotalKiB, ulong UsedKiB) Swap(string meminfo)
    {
        var values = Values(meminfo);
        var total = values.GetValueOrDefault("SwapTotal");
        var free = Math.Min(values.GetValueOrDefault("SwapFree"), total);
        return (total, total - free);
    }

    /// <summary>Linux commit 34e431b0 ("/proc/meminfo: provide estimated available memory"), as psutil redoes it.</summary>
    private static ulong Estimate(Dictionary<string, ulong> values, string? zoneinfo, int pageKiB)
    {
        var free = values.GetValueOrDefault("MemFree");
        var fallback = free + values.GetValueOrDefault("Cached");
        if (zoneinfo is null || !values.TryGetValue("Active(file)", out var activeFile) ||
            !values.TryGetValue("Inactive(file)", out var inactiveFile) || !values.TryGetValue("SReclaimable", out var slabReclaimable))
        {
            return fallback;
        }

        double low = 0;
        foreach (var line in zoneinfo.AsSpan().EnumerateLines())
        {
            // As psutil reads it: a line starting "low" (whatever whitespace follows), its second field.
            var trimmed = line.Trim();
            if (!trimmed.StartsWith("low"))
            {
                continue;
            }

            var fields = trimmed.ToString().Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
            {
                low += pages;
            }
        }

        low *= pageKiB;
        var pageCache = (double)activeFile + inactiveFile;
        var estimate = free - low + (pageCache - Math.Min(pageCache / 2, low)) + (slabReclaimable - Math.Min(slabReclaimable / 2.0, low));
        return estimate > 0 ? (ulong)estimate : 0;
    }

    private static Dictionary<string, ulong> Values(string meminfo)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in meminfo.AsSpan().EnumerateLines())
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

            if (ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                values[line[..colon].ToString()] = kib;
            }
        }

        return values;
    }
}
