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
        var list = new ContainerStat[containers];
        for (var i = 0; i < containers; i++)
        {
            list[i] = new ContainerStat
            {
                EngineType = EngineTypes.Docker,
                AgentId = agent,
                NodeName = agent,
                ContainerName = $"app-{i:00}",
                Status = i % 5 == 4 ? "exited" : "running",
                SampledAt = time,
                CpuPercent = i % 5 == 4 ? 0 : Math.Round(i * 1.37 % 100, 2),
                MemoryUsageMiB = i % 5 == 4 ? 0 : Math.Round(20 + (i * 3.3), 2),
                MemoryPercent = i % 5 == 4 ? 0 : Math.Round((20 + (i * 3.3)) / 1956 * 100, 2),
            };
        }

        return (agent, JsonSerializer.SerializeToUtf8Bytes(new MonitorReport
        {
            EngineType = EngineTypes.Docker,
            AgentId = agent,
            CpuCount = 2,
            CpuPercent = 12.5,
            MemoryTotalMiB = 1956,
            MemoryUsedMiB = 569,
            MemoryPercent = 29.09,
            SampledAt = time,
            Containers = list,
        }, ContractsJsonContext.Default.MonitorReport));
    }
}
