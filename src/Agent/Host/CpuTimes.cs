namespace StackScope.Agent.Host;

/// <summary>The aggregate "cpu" line of /proc/stat, in clock ticks (proc(5)); HostCpuCalculator turns two into a percent.</summary>
internal readonly record struct CpuTimes(
    ulong User, ulong Nice, ulong System, ulong Idle, ulong IoWait, ulong Irq, ulong SoftIrq, ulong Steal, ulong Guest, ulong GuestNice);
