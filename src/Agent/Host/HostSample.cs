namespace StackScope.Agent.Host;

/// <summary>The host figures of one report, in the wire's units.</summary>
internal sealed record HostSample(int CpuCount, double CpuPercent, double MemoryTotalMiB, double MemoryUsedMiB, double MemoryPercent, ulong MemoryTotalBytes);
