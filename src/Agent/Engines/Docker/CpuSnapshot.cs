namespace StackScope.Agent.Engines.Docker;

/// <summary>One reading of a container's CPU counter and the host's, both in nanoseconds.</summary>
internal readonly record struct CpuSnapshot(ulong ContainerNanos, ulong SystemNanos, int OnlineCpus)
{
    public static CpuSnapshot? From(DockerStats stats)
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
