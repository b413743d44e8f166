namespace StackScope.Agent.Engines.Docker;

/// <summary>The Engine API's stats shape turned into engine-neutral counters; Docker's types stop here.</summary>
internal static class DockerStatsConverter
{
    public static ContainerCounters ToCounters(DockerStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var memory = stats.MemoryStats is { } m ? MemoryCounters.FromStat(m.Usage, m.Limit, m.Stats) : default;
        return new ContainerCounters(Cpu(stats), memory);
    }

    private static CpuSnapshot? Cpu(DockerStats stats)
    {
        if (stats.CpuStats is not { CpuUsage: { } usage } cpu || cpu.SystemCpuUsage == 0)
        {
            return null;
        }

        // online_cpus is absent on old engines; the CLI then counts percpu_usage.
        var online = cpu.OnlineCpus > 0 ? cpu.OnlineCpus : usage.PerCpuUsage?.Count ?? 0;
        return online > 0 ? new CpuSnapshot(usage.TotalUsage, cpu.SystemCpuUsage, online) : null;
    }
}
