using System.Text.Json;
using StackScope.Contracts;

namespace StackScope.Bench.Ingest;

/// <summary>Reports of simulated agents; every (agent, time) is new so none is skipped as a resend.</summary>
internal sealed class ReportFactory(string runId, int agents, int containers)
{
    private static readonly DateTime Start = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private long _next = -1;

    public string AgentId(long index) => $"{runId}-{index % agents}";

    public (string Agent, byte[] Body) Next()
    {
        var n = Interlocked.Increment(ref _next);
        var agent = AgentId(n);
        var time = Start.AddSeconds(10 * (n / agents));
        return (agent, JsonSerializer.SerializeToUtf8Bytes(Report(agent, time, Containers(agent, time, containers, exitedEvery: 5)),
            ContractsJsonContext.Default.MonitorReport));
    }

    /// <summary>A simulated agent's report with the original's fields: a 2-core host at 12.5 % and 29 % of its memory.</summary>
    public static MonitorReport Report(string agent, DateTime time, IReadOnlyList<ContainerStat> containers) => new()
    {
        EngineType = EngineTypes.Docker,
        AgentId = agent,
        CpuCount = 2,
        CpuPercent = 12.5,
        MemoryTotalMiB = 1956,
        MemoryUsedMiB = 569,
        MemoryPercent = 29.09,
        SampledAt = time,
        Containers = containers,
    };

    /// <summary>A simulated agent's containers: app-00, app-01...; every <paramref name="exitedEvery"/>th exited (0: none).</summary>
    public static ContainerStat[] Containers(string agent, DateTime time, int count, int exitedEvery)
    {
        var list = new ContainerStat[count];
        for (var i = 0; i < count; i++)
        {
            var exited = exitedEvery > 0 && i % exitedEvery == exitedEvery - 1;
            list[i] = new ContainerStat
            {
                EngineType = EngineTypes.Docker,
                AgentId = agent,
                NodeName = agent,
                ContainerName = $"app-{i:00}",
                Status = exited ? "exited" : "running",
                SampledAt = time,
                CpuPercent = exited ? 0 : Math.Round(i * 1.37 % 100, 2),
                MemoryUsageMiB = exited ? 0 : Math.Round(20 + (i * 3.3), 2),
                MemoryPercent = exited ? 0 : Math.Round((20 + (i * 3.3)) / 1956 * 100, 2),
            };
        }

        return list;
    }
}
