namespace StackScope.Agent.Host;

/// <summary>Busy share of all CPUs between two /proc/stat samples, by psutil's cpu_percent rules.</summary>
internal static class HostCpuCalculator
{
    /// <summary>Null when the counters went backwards (e.g. a restored VM) or did not move: no honest value.</summary>
    public static double? Percent(CpuTimes previous, CpuTimes current)
    {
        if (current.Total < previous.Total || current.IdleAll < previous.IdleAll)
        {
            return null;
        }

        var total = current.Total - previous.Total;
        if (total == 0)
        {
            return null;
        }

        var idle = current.IdleAll - previous.IdleAll;
        var busy = total > idle ? total - idle : 0;
        return Math.Round(100.0 * busy / total, 2, MidpointRounding.AwayFromZero);
    }
}
