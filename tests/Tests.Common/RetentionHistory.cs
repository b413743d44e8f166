using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Tests.Common;

/// <summary>
/// Forty days of history for two agents (containers web and db), a report every 150 s, every figure a formula of the
/// sample index, so a test computes the buckets a rollup must hold from the same numbers. Written through the
/// server's own report writer (past timestamps are valid input).
/// </summary>
public sealed class RetentionHistory
{
    public static readonly string[] Agents = ["rt-a", "rt-b"];
    public static readonly string[] ContainerNames = ["web", "db"];
    public const int IntervalSeconds = 150;

    public RetentionHistory(DateTime now, int days = 40)
    {
        End = WireTimestamp.Truncate(now.AddMinutes(-30));
        Start = End.AddDays(-days);
        Count = (int)((End - Start).TotalSeconds / IntervalSeconds) + 1;
    }

    public DateTime Start { get; }

    public DateTime End { get; }

    public int Count { get; }

    public DateTime TimeOf(int i) => Start.AddSeconds((long)i * IntervalSeconds);

    public static double HostCpu(string agent, int i) => ((i * 37) + (agent == Agents[0] ? 0 : 11)) % 1000 / 10.0;

    public static double HostMemoryUsed(int i) => 1000 + (i * 13 % 500);

    public static double ContainerCpu(string name, int i) => name == "web" ? (i * 53 % 2000) / 10.0 : (i % 9) * 1.25;

    public static double ContainerMemory(string name, int i) => name == "web" ? 50 + (i * 7 % 100) : 300 + (i % 3);

    public static string ContainerStatus(string name, int i) => name == "web" && i % 17 == 0 ? "exited" : "running";

    public static MonitorReport Report(string agent, DateTime at, int i, double? cpuOverride = null) => new()
    {
        EngineType = EngineTypes.Docker,
        AgentId = agent,
        CpuCount = 4,
        CpuPercent = cpuOverride ?? HostCpu(agent, i),
        MemoryTotalMiB = 4096,
        MemoryUsedMiB = HostMemoryUsed(i),
        MemoryPercent = Math.Round(HostMemoryUsed(i) / 4096 * 100, 2),
        SampledAt = at,
        Load1 = i % 5 * 0.5,
        Containers = ContainerNames.Select(name => new ContainerStat
        {
            EngineType = EngineTypes.Docker,
            AgentId = agent,
            NodeName = agent + "-node",
            ContainerName = name,
            Status = ContainerStatus(name, i),
            SampledAt = at,
            CpuPercent = cpuOverride ?? ContainerCpu(name, i),
            MemoryUsageMiB = ContainerMemory(name, i),
            MemoryPercent = Math.Round(ContainerMemory(name, i) / 4096 * 100, 2),
            Pids = 3 + (i % 4),
        }).ToList(),
    };

    /// <summary>Writes every report through a store of <paramref name="database"/> (migrated first), in batches as ingest does.</summary>
    public async Task SeedAsync(TestDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var storage = StorageSet.Create(new StorageOptions { Provider = database.Provider, ConnectionString = database.ConnectionString }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None);
        var reports = Agents.SelectMany(agent => Enumerable.Range(0, Count).Select(i => Report(agent, TimeOf(i), i)));
        foreach (var batch in reports.Chunk(500))
        {
            storage.Reports.WriteBatch(batch, DateTime.UtcNow);
        }
    }

    /// <summary>The figures one bucket of <paramref name="seconds"/> must hold, computed here from the formulas.</summary>
    public IReadOnlyDictionary<long, BucketFigures> HostBuckets(string agent, int seconds, DateTime? from = null) =>
        Buckets(seconds, from, i => HostCpu(agent, i), HostMemoryUsed, _ => true);

    public IReadOnlyDictionary<long, BucketFigures> ContainerBuckets(string name, int seconds, DateTime? from = null) =>
        Buckets(seconds, from, i => ContainerCpu(name, i), i => ContainerMemory(name, i), i => ContainerStatus(name, i) == "running");

    private Dictionary<long, BucketFigures> Buckets(int seconds, DateTime? from, Func<int, double> cpu, Func<int, double> memory, Func<int, bool> running) =>
        Enumerable.Range(0, Count).Where(i => from is null || TimeOf(i) >= from)
            .GroupBy(i => (long)(TimeOf(i) - DateTime.UnixEpoch).TotalSeconds / seconds * seconds)
            .ToDictionary(g => g.Key, g => new BucketFigures(g.Count(), g.Min(cpu), g.Average(cpu), g.Max(cpu), g.Average(memory), g.Max(memory),
                g.Count(running)));
}

public sealed record BucketFigures(int Samples, double CpuMin, double CpuAvg, double CpuMax, double MemoryAvg, double MemoryMax, int Running);
