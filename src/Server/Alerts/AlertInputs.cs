namespace StackScope.Server.Alerts;

// What the evaluator reads back from storage for one agent: its reports in sample-time order, their containers and
// file systems, and its container events. Times are UTC; ReceivedAt is when the server stored the row.

internal sealed record HostPoint(DateTime SampledAt, DateTime ReceivedAt, double CpuPercent, double MemoryPercent)
{
    /// <summary>An engine of the report could not be read: a container missing from it is not gone.</summary>
    public bool EngineUnread { get; init; }

    public double? Load1 { get; init; }
    public double? Load5 { get; init; }
    public double? Load15 { get; init; }
    public double? SwapTotalMiB { get; init; }
    public double? SwapUsedMiB { get; init; }
}

internal sealed record ContainerPoint(string Name, string Status, double CpuPercent, double MemoryPercent, double MemoryMiB)
{
    public string? Image { get; init; }
    public long? Pids { get; init; }
    public int? RestartCount { get; init; }
    public string? Health { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

internal sealed record DiskPoint(string MountPoint, double UsedPercent);

internal sealed record AgentSample(HostPoint Host, IReadOnlyList<ContainerPoint> Containers, IReadOnlyList<DiskPoint> Disks);

internal sealed record EventPoint(long Id, string ContainerName, string Action, DateTime OccurredAt, DateTime ReceivedAt)
{
    public int? ExitCode { get; init; }

    /// <summary>The engine's own timestamp, with <see cref="ContainerName"/> and <see cref="Action"/> the event's identity in its report.</summary>
    public long TimeNano { get; init; }
}
