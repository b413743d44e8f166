namespace StackScope.Server.Storage;

// Rows the read side gets back from storage. Times come as text (SQLite) or DateTime (MySQL) and are
// normalized to UTC DateTime by the store; nothing here knows which database answered.

/// <summary>What the fleet view needs of one agent: its newest host rows (newest first) and its latest report's container counts.</summary>
internal sealed record AgentSnapshot(string AgentId, IReadOnlyList<HostRow> Recent, IReadOnlyList<StatusCount> ContainersByStatus);

internal sealed record HostRow(DateTime SampledAt, int CpuCount, double CpuPercent, double MemoryTotalMiB, double MemoryUsedMiB, double MemoryPercent);

internal sealed record StatusCount(string Status, int Count);

internal sealed record ContainerRow(
    string AgentId, string NodeName, string ContainerName, string Status, DateTime SampledAt,
    double CpuPercent, double MemoryUsageMiB, double MemoryPercent);

/// <summary>One time bucket of a history: average and maximum of each figure, and how many samples fell in it.</summary>
internal sealed record HistoryBucket(
    DateTime Start, int Samples, double CpuAvg, double CpuMax, double MemoryAvg, double MemoryMax,
    double MemoryPercentAvg, double MemoryPercentMax, int RunningSamples);

internal sealed record Page<T>(IReadOnlyList<T> Items, long TotalCount);
