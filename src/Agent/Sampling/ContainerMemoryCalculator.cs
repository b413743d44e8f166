using StackScope.Agent.Engines;

namespace StackScope.Agent.Sampling;

/// <summary>
/// The docker CLI's memory figures (stats_helpers.go, calculateMemUsageUnixNoCache): usage less the
/// inactive file cache — total_inactive_file on cgroup v1, inactive_file on v2 — and its share of the
/// container's limit, or of the host's memory when the container has none.
/// </summary>
internal static class ContainerMemoryCalculator
{
    private const double BytesPerMiB = 1024 * 1024;

    public static (double UsageMiB, double Percent) Calculate(MemoryCounters? counters, ulong hostTotalBytes)
    {
        if (counters is not { UsageBytes: > 0 } memory)
        {
            return (0, 0);
        }

        var usage = UsageWithoutCache(memory);
        var limit = Limit(memory, hostTotalBytes);
        var percent = limit > 0 ? 100.0 * usage / limit : 0;
        return (Math.Round(usage / BytesPerMiB, 2, MidpointRounding.AwayFromZero),
                Percentages.Round(Math.Min(percent, 100)));
    }

    /// <summary>
    /// The limit docker stats shows after "/": the container's own, else the host's memory. An unlimited v1 cgroup
    /// reports a huge limit (about 2^63); the engine caps it at host memory already, but a limit above the host's
    /// memory means "no limit" either way.
    /// </summary>
    public static ulong Limit(MemoryCounters memory, ulong hostTotalBytes) =>
        memory.LimitBytes > 0 && memory.LimitBytes <= hostTotalBytes ? memory.LimitBytes : hostTotalBytes;

    public static ulong UsageWithoutCache(MemoryCounters memory) =>
        memory.InactiveFileBytes < memory.UsageBytes ? memory.UsageBytes - memory.InactiveFileBytes : memory.UsageBytes;
}
