using System.Globalization;

namespace StackScope.Agent.Host;

/// <summary>Reads /proc/stat text (proc(5)): the aggregate CPU times and the number of online CPUs.</summary>
internal static class ProcStatParser
{
    public static (CpuTimes Times, int OnlineCpus) Parse(ReadOnlySpan<char> text)
    {
        CpuTimes? times = null;
        var online = 0;
        foreach (var line in text.EnumerateLines())
        {
            if (!line.StartsWith("cpu"))
            {
                continue;
            }

            if (line.StartsWith("cpu "))
            {
                times = ParseTimes(line[3..]);
            }
            else if (line.Length > 3 && char.IsAsciiDigit(line[3]))
            {
                // One "cpuN" line per online CPU: offline CPUs are not listed.
                online++;
            }
        }

        return times is { } t && online > 0
            ? (t, online)
            : throw new FormatException("/proc/stat has no aggregate 'cpu' line or no per-CPU lines");
    }

    private static CpuTimes ParseTimes(ReadOnlySpan<char> fields)
    {
        Span<ulong> values = stackalloc ulong[10];
        var count = 0;
        foreach (var range in fields.Split(' '))
        {
            var field = fields[range];
            if (field.IsEmpty)
            {
                continue;
            }

            if (count < values.Length)
            {
                values[count] = ulong.Parse(field, NumberStyles.None, CultureInfo.InvariantCulture);
            }

            count++;
        }

        // Kernels before 2.6.33 have fewer columns; the missing ones are zero.
        return count >= 4
            ? new CpuTimes(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9])
            : throw new FormatException("/proc/stat 'cpu' line has fewer than 4 fields");
    }
}
