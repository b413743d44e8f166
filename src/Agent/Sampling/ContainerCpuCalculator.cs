using StackScope.Agent.Engines;

namespace StackScope.Agent.Sampling;

/// <summary>
/// The docker CLI's CPU % (cli/command/container/stats_helpers.go, calculateCPUPercentUnix):
/// container CPU delta / system CPU delta x online CPUs x 100, so a container busy on two cores shows 200.
/// </summary>
internal static class ContainerCpuCalculator
{
    /// <summary>Null when there is no honest value: the counters went backwards (restart) or did not move.</summary>
    public static double? Percent(CpuSnapshot previous, CpuSnapshot current)
    {
        if (current.ContainerNanos < previous.ContainerNanos || current.SystemNanos <= previous.SystemNanos)
        {
            return null;
        }

        var cpuDelta = (double)(current.ContainerNanos - previous.ContainerNanos);
        var systemDelta = (double)(current.SystemNanos - previous.SystemNanos);
        var percent = cpuDelta / systemDelta * current.OnlineCpus * 100.0;
        return Percentages.Round(percent);
    }
}
