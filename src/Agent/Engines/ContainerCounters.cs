namespace StackScope.Agent.Engines;

/// <summary>
/// A running (or paused) container's raw counters at one instant; CPU null when the engine gave no usable counter.
/// <see cref="Io"/> holds what <c>docker stats</c> shows beyond CPU and memory; <see cref="OomKills"/> is the cgroup's
/// own OOM kill counter where the kernel keeps one (v2 memory.events, v1 memory.oom_control), else null.
/// </summary>
internal sealed record ContainerCounters(CpuSnapshot? Cpu, MemoryCounters Memory)
{
    public IoCounters Io { get; init; }

    public long? OomKills { get; init; }
}

/// <summary>Network bytes (summed over the container's interfaces but loopback), block I/O bytes and PIDs; null where not readable.</summary>
internal readonly record struct IoCounters(long? NetRxBytes, long? NetTxBytes, long? BlockReadBytes, long? BlockWriteBytes, long? Pids);
