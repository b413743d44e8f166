namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// The docker CLI's memory figures (stats_helpers.go, calculateMemUsageUnixNoCache): usage less the
/// inactive file cache — total_inactive_file on cgroup v1, inactive_file on v2 — and its share of the
/// container's limit, or of the host's memory when the container has none.
/// </summary>
internal static class ContainerMemoryCalculator
{
    private const double BytesPerMiB = 1024 * 1024;

    public static (double UsageMiB, double Percent) Calculate(DockerMemoryStats? memory, ulong hostTotalBytes)
    {
        if (memory is null || memory.Usage == 0)
        {
            return (0, 0);
        }

        var usage = UsageWithoutCache(memory);
        // An unlimited v1 cgroup reports a huge limit (about 2^63); the engine caps it at host memory already,
        // but a limit above the host's memory means "no limit" either way.
        var limit = memory.Limit > 0 && memory.Limit <= hostTotalBytes ? memory.Limit : hostTotalBytes;
        var percent = limit > 0 ? 100.0 * usage / limit : 0;
        return (Math.Round(usage / BytesPerMiB, 2, MidpointRounding.AwayFromZero),
                Math.Round(Math.Min(percent, 100), 2, MidpointRounding.AwayFromZero));
    }

    public static ulong UsageWithoutCache(DockerMemoryStats memory)
    {
        var stats = memory.Stats;
        if (stats is not null && stats.TryGetValue("total_inactive_file", out var v1) && v1 < memory.Usage)
        {
            return memory.Usage - v1;
        }

        if (stats is not null && stats.TryGetValue("inactive_file", out var v2) && v2 < memory.Usage)
        {
            return memory.Usage - v2;
        }

        return memory.Usage;
    }
}
