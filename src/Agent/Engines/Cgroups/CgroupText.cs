using System.Globalization;
using StackScope.Agent.Host;

namespace StackScope.Agent.Engines.Cgroups;

/// <summary>The cgroup files' and /proc/stat's text as the engines read it, parsed without allocating.</summary>
internal static class CgroupText
{
    // USER_HZ is 100 on every Linux the engines support; dockerd converts /proc/stat ticks the same way.
    private const ulong NanosPerTick = 1_000_000_000 / 100;

    /// <summary>dockerd's system_cpu_usage: user..softirq of the aggregate /proc/stat line (no steal, no guest), in nanoseconds.</summary>
    internal static ulong SystemNanos(CpuTimes times) =>
        (times.User + times.Nice + times.System + times.Idle + times.IoWait + times.Irq + times.SoftIrq) * NanosPerTick;

    /// <summary>
    /// Sums "major:minor Read|Write bytes" lines over devices (the CLI's calculateBlockIO adds every entry whose op is
    /// read or write); null when the file lists no device, so the next file is tried.
    /// </summary>
    internal static (long Read, long Written)? ParseBlkio(ReadOnlySpan<char> text)
    {
        long read = 0, written = 0;
        var any = false;
        Span<Range> parts = stackalloc Range[4];
        foreach (var line in text.EnumerateLines())
        {
            var trimmed = line.Trim();
            if (trimmed.Split(parts, ' ', StringSplitOptions.RemoveEmptyEntries) != 3 ||
                !long.TryParse(trimmed[parts[2]], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue; // "Total n" and blank lines
            }

            any = true;
            var op = trimmed[parts[1]];
            if (op.Equals("Read", StringComparison.OrdinalIgnoreCase))
            {
                read += value;
            }
            else if (op.Equals("Write", StringComparison.OrdinalIgnoreCase))
            {
                written += value;
            }
        }

        return any ? (read, written) : null;
    }

    /// <summary>cgroup v2 io.stat: "major:minor rbytes=n wbytes=n rios=n ..." per device; dockerd reports rbytes/wbytes as Read/Write.</summary>
    internal static (long Read, long Written) ParseIoStat(ReadOnlySpan<char> text)
    {
        long read = 0, written = 0;
        foreach (var line in text.EnumerateLines())
        {
            foreach (var range in line.Split(' '))
            {
                var pair = line[range];
                var eq = pair.IndexOf('=');
                if (eq <= 0 || !long.TryParse(pair[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    continue;
                }

                if (pair[..eq].SequenceEqual("rbytes"))
                {
                    read += value;
                }
                else if (pair[..eq].SequenceEqual("wbytes"))
                {
                    written += value;
                }
            }
        }

        return (read, written);
    }

    /// <summary>
    /// One value of a flat-keyed cgroup file ("key value" lines), null when absent: looked up in the text rather than
    /// parsed into a dictionary of its 30-odd keys per container per cycle (measured: most of a cycle's allocations).
    /// </summary>
    internal static ulong? FlatKey(ReadOnlySpan<char> text, string key)
    {
        foreach (var line in text.EnumerateLines())
        {
            if (line.Length > key.Length && line[key.Length] == ' ' && line.StartsWith(key, StringComparison.Ordinal)
                && ulong.TryParse(line[(key.Length + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }
}
