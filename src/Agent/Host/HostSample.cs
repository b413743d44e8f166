namespace StackScope.Agent.Host;

/// <summary>The host figures of one report, in the wire's units; the further figures null where /proc could not give them.</summary>
internal sealed record HostSample(int CpuCount, double CpuPercent, double MemoryTotalMiB, double MemoryUsedMiB, double MemoryPercent, ulong MemoryTotalBytes)
{
    public (double One, double Five, double Fifteen)? Load { get; init; }

    public long? UptimeSeconds { get; init; }

    public double? SwapTotalMiB { get; init; }

    public double? SwapUsedMiB { get; init; }

    public (long Rx, long Tx)? Network { get; init; }
}
