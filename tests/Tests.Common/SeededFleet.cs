using StackScope.Contracts;
using StackScope.Server.Storage;

namespace StackScope.Tests.Common;

/// <summary>
/// Known history written straight through the store: "qa-online" reports every 10 s for the last 30 minutes
/// (containers web and db running, old exited); "qa-offline" stopped reporting an hour ago. Every figure is
/// a formula of the sample index, so tests compute the expected buckets themselves. qa-online's reports also carry
/// the figures StackScope added: web's counters grow by a known amount per sample, old exited with code 3 (an event at
/// <see cref="OldDiedAt"/>), web was OOM-killed and turned unhealthy (events at <see cref="WebOomAt"/>), one file system.
/// </summary>
public sealed class SeededFleet<TDatabase> : IAsyncLifetime where TDatabase : TestDatabase, new()
{
    public const string Online = "qa-online";
    public const string Offline = "qa-offline";
    public const int Samples = 180;

    public TDatabase Database { get; } = new();

    public RunningServer Server { get; private set; } = null!;

    /// <summary>Sample i (0 = oldest) of qa-online was taken at <see cref="End"/> - (Samples - 1 - i) x 10 s.</summary>
    public DateTime End { get; } = WireTimestamp.Truncate(DateTime.UtcNow.AddSeconds(-5));

    public DateTime TimeOf(int i) => End.AddSeconds(-10 * (Samples - 1 - i));

    public static double HostCpu(int i) => i % 50;

    public static double HostMemoryPercent(int i) => 20 + (i % 7);

    public static double WebCpu(int i) => (i % 10) * 1.5;

    public const int OldDiedAt = 100;
    public const int WebOomAt = 120;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var storage = StorageSet.Create(new StorageOptions { Provider = Database.Provider, ConnectionString = Database.ConnectionString }, Path.GetTempPath());
        await storage.Migrator.MigrateAsync(CancellationToken.None);
        var reports = Enumerable.Range(0, Samples).Select(i => Report(Online, TimeOf(i), i)).ToList();
        reports.AddRange(Enumerable.Range(0, 6).Select(i => Report(Offline, End.AddHours(-1).AddSeconds(10 * i), i)));
        storage.Reports.WriteBatch(reports, DateTime.UtcNow);
        Server = await RunningServer.StartAsync(Database);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }

    private static MonitorReport Report(string agent, DateTime at, int i)
    {
        ContainerStat Container(string name, string status, double cpu, double mem) => new()
        {
            ContainerId = name + "0123456789abcdef",
            Image = "app/" + name + ":1",
            NetRxBytes = status == "running" ? 1000L * i : null,
            NetTxBytes = status == "running" ? 500L * i : null,
            BlockReadBytes = status == "running" ? 100L * i : null,
            BlockWriteBytes = status == "running" ? 200L * i : null,
            Pids = status == "running" ? 3 + (i % 4) : null,
            Health = name == "web" ? (i >= WebOomAt ? "unhealthy" : "healthy") : null,
            RestartCount = name == "db" ? 2 : 0,
            ExitCode = name == "old" ? 3 : 0,
            OomKilled = false,
            EngineType = EngineTypes.Docker,
            AgentId = agent,
            NodeName = agent + "-node",
            ContainerName = name,
            Status = status,
            SampledAt = at,
            CpuPercent = cpu,
            MemoryUsageMiB = mem,
            MemoryPercent = Math.Round(mem / 4096 * 100, 2),
        };

        return new MonitorReport
        {
            EngineType = EngineTypes.Docker,
            AgentId = agent,
            CpuCount = 4,
            CpuPercent = HostCpu(i),
            MemoryTotalMiB = 4096,
            MemoryUsedMiB = 4096 * HostMemoryPercent(i) / 100,
            MemoryPercent = HostMemoryPercent(i),
            SampledAt = at,
            Containers = agent == Online
                ? [Container("web", "running", WebCpu(i), 100 + i), Container("db", "running", 5, 300), Container("old", "exited", 0, 0)]
                : [Container("job", "exited", 0, 0)],
            FileSystems = agent == Online ? [new FileSystemStat { MountPoint = "/", FsType = "ext4", TotalBytes = 100_000_000_000, UsedBytes = 93_000_000_000 }] : null,
            Load1 = i % 3,
            Events = agent != Online ? null : i switch
            {
                OldDiedAt => [Event("old", ContainerActions.Die, at, exitCode: 3)],
                WebOomAt => [Event("web", ContainerActions.Oom, at), Event("web", ContainerActions.HealthStatus, at.AddSeconds(1), health: "unhealthy")],
                _ => null,
            },
        };

        ContainerEvent Event(string name, string action, DateTime time, int? exitCode = null, string? health = null) => new()
        {
            ContainerId = name + "0123456789abcdef",
            ContainerName = name,
            NodeName = agent + "-node",
            Action = action,
            OccurredAt = time,
            TimeNano = (time - DateTime.UnixEpoch).Ticks * 100,
            Source = action == ContainerActions.Oom ? ContainerActions.SourceReconciled : ContainerActions.SourceEngine,
            ExitCode = exitCode,
            Health = health,
        };
    }
}
