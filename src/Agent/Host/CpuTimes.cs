namespace StackScope.Agent.Host;

/// <summary>The aggregate "cpu" line of /proc/stat, in clock ticks (proc(5)).</summary>
internal readonly record struct CpuTimes(
    ulong User, ulong Nice, ulong System, ulong Idle, ulong IoWait, ulong Irq, ulong SoftIrq, ulong Steal, ulong Guest, ulong GuestNice)
{
    /// <summary>
    /// psutil's total: the kernel already counts guest time inside user (and guest_nice inside nice),
    /// so they are taken out again rather than counted twice.
    /// </summary>
    public ulong Total => User + Nice + System + Idle + IoWait + Irq + SoftIrq + Steal - Guest - GuestNice;

    /// <summary>psutil's idle: idle and iowait are both time the CPU had nothing to run.</summary>
    public ulong IdleAll => Idle + IoWait;
}
