namespace StackScope.Server.Storage;

// Rows the read side gets back from storage. Times come as text (SQLite) or DateTime (MySQL) and are
// normalized to UTC DateTime by the store; nothing here knows which database answered.

/// <summary>What the fleet view needs of one agent: its newest host rows (newest first) and its latest report's container counts.</summary>
internal sealed record AgentSnapshot(string AgentId, IReadOnlyList<HostRow> Recent, IReadOnlyList<StatusCount> ContainersByStatus);

internal sealed record HostRow(DateTime SampledAt, int CpuCount, double CpuPercent, double MemoryTotalMiB, double MemoryUsedMiB, double MemoryPercent)
{
    // Null in rows of agents that do not send them (the seed's, older ones).
    public double? Load1 { get; init; }

    public double? Load5 { get; init; }

    public double? Load15 { get; init; }

    public long? UptimeSeconds { get; init; }

    public double? SwapTotalMiB { get; init; }

    public double? SwapUsedMiB { get; init; }

    public long? NetRxBytes { get; init; }

    public long? NetTxBytes { get; init; }
}

internal sealed record FileSystemRow(string MountPoint, string FsType, long TotalBytes, long UsedBytes);

internal sealed record EventRow(
    string ContainerId, string ContainerName, string NodeName, string Action, DateTime OccurredAt, long TimeNano, string Source,
    string? Image, int? ExitCode, int? Signal, string? Health);

internal sealed record StatusCount(string Status, int Count);

internal sealed record ContainerRow(
    string AgentId, string NodeName, string ContainerName, string Status, DateTime SampledAt,
    double CpuPercent, double MemoryUsageMiB, double MemoryPercent)
{
    // Null in rows of agents that do not send them (the seed's, older ones).
    public string? ContainerId { get; init; }

    public string? Image { get; init; }

    public long? NetRxBytes { get; init; }

    public long? NetTxBytes { get; init; }

    public long? BlockReadBytes { get; init; }

    public long? BlockWriteBytes { get; init; }

    public long? Pids { get; init; }

    public long? MemoryLimitBytes { get; init; }

    public long? CpuUsageNanos { get; init; }

    public string? Health { get; init; }

    public int? RestartCount { get; init; }

    public int? ExitCode { get; init; }

    public bool? OomKilled { get; init; }

    public DateTime? StartedAt { get; init; }

    public DateTime? FinishedAt { get; init; }

    /// <summary>docker or podman: an agent may report both engines of its host.</summary>
    public string EngineType { get; init; } = "";

    /// <summary>The labels the agent forwarded (Kubernetes' pod, namespace and container among them); null for none.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>One time bucket of a history: average and maximum of each figure, and how many samples fell in it.</summary>
internal sealed record HistoryBucket(
    DateTime Start, int Samples, double CpuAvg, double CpuMax, double MemoryAvg, double MemoryMax,
    double MemoryPercentAvg, double MemoryPercentMax, int RunningSamples)
{
    // Counters (network, block I/O) as their largest value in the bucket, so a chart can difference them into rates;
    // null where no sample of the bucket carried them.
    public double? NetRxMax { get; init; }

    public double? NetTxMax { get; init; }

    public double? BlockReadMax { get; init; }

    public double? BlockWriteMax { get; init; }

    public double? PidsAvg { get; init; }

    public double? PidsMax { get; init; }

    public double? Load1Avg { get; init; }

    public double? Load1Max { get; init; }

    /// <summary>The bucket's newest sample: counters' rates divide by the time between two buckets' newest samples.</summary>
    public DateTime? LastSampleAt { get; init; }

    /// <summary>One bucket from two parts of it (rollup rows and raw rows): averages weighted by samples, maxima of maxima.</summary>
    public HistoryBucket Merge(HistoryBucket other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var samples = Samples + other.Samples;
        double Avg(double a, double b) => samples == 0 ? 0 : ((a * Samples) + (b * other.Samples)) / samples;
        double? AvgOf(double? a, double? b) => a is null ? b : b is null ? a : Avg(a.Value, b.Value);
        static double? MaxOf(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
        return new HistoryBucket(Start, samples, Avg(CpuAvg, other.CpuAvg), Math.Max(CpuMax, other.CpuMax), Avg(MemoryAvg, other.MemoryAvg),
            Math.Max(MemoryMax, other.MemoryMax), Avg(MemoryPercentAvg, other.MemoryPercentAvg), Math.Max(MemoryPercentMax, other.MemoryPercentMax),
            RunningSamples + other.RunningSamples)
        {
            NetRxMax = MaxOf(NetRxMax, other.NetRxMax),
            NetTxMax = MaxOf(NetTxMax, other.NetTxMax),
            BlockReadMax = MaxOf(BlockReadMax, other.BlockReadMax),
            BlockWriteMax = MaxOf(BlockWriteMax, other.BlockWriteMax),
            PidsAvg = AvgOf(PidsAvg, other.PidsAvg),
            PidsMax = MaxOf(PidsMax, other.PidsMax),
            Load1Avg = AvgOf(Load1Avg, other.Load1Avg),
            Load1Max = MaxOf(Load1Max, other.Load1Max),
            LastSampleAt = LastSampleAt is null || (other.LastSampleAt is { } o && o > LastSampleAt) ? other.LastSampleAt : LastSampleAt,
        };
    }
}

internal sealed record Page<T>(IReadOnlyList<T> Items, long TotalCount);

/// <summary>
/// Where a history reads: a rollup tier's tables for buckets before <paramref name="RawFrom"/> (a tier bucket's start),
/// raw rows from there on (the buckets the maintenance job has not rolled up yet); null tables read raw rows only.
/// </summary>
internal sealed record HistorySource(RollupTables? Tier, int TierBucketSeconds, DateTime RawFrom)
{
    public static readonly HistorySource Raw = new(null, 0, DateTime.MinValue);
}
