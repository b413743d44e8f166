namespace StackScope.Agent.Engines.Docker;

/// <summary>The Engine API's stats shape turned into engine-neutral counters; Docker's types stop here.</summary>
internal static class DockerStatsConverter
{
    public static ContainerCounters ToCounters(DockerStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var memory = stats.MemoryStats is { } m ? MemoryCounters.FromStat(m.Usage, m.Limit, m.Stats) : default;
        return new ContainerCounters(Cpu(stats), memory) { Io = Io(stats) };
    }

    // The CLI's sums (stats_helpers.go): every network's rx/tx; every blkio entry whose op is read or write, any case.
    private static IoCounters Io(DockerStats stats)
    {
        long? rx = null, tx = null;
        if (stats.Networks is { Count: > 0 } networks)
        {
            rx = networks.Values.Sum(n => n.RxBytes);
            tx = networks.Values.Sum(n => n.TxBytes);
        }

        var entries = stats.BlkioStats?.IoServiceBytesRecursive ?? [];
        var read = entries.Where(e => string.Equals(e.Op, "read", StringComparison.OrdinalIgnoreCase)).Sum(e => e.Value);
        var written = entries.Where(e => string.Equals(e.Op, "write", StringComparison.OrdinalIgnoreCase)).Sum(e => e.Value);
        return new IoCounters(rx ?? 0, tx ?? 0, read, written, stats.PidsStats?.Current);
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
