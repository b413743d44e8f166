using StackScope.Agent.Engines.Docker;
using StackScope.Agent.Host;
using StackScope.Contracts;

namespace StackScope.Agent.Sampling;

/// <summary>Samples the host and every container at one instant and shapes them as one wire report.</summary>
internal sealed class ReportSampler(AgentOptions options, HostCollector host, DockerCollector docker, TimeProvider clock)
{
    /// <summary>Baselines for CPU %, so the first report carries real values.</summary>
    public async Task PrimeAsync(CancellationToken cancellationToken)
    {
        host.Prime();
        await docker.PrimeAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<MonitorReport> SampleAsync(CancellationToken cancellationToken)
    {
        // One timestamp for every record of the report, as the original did.
        var sampledAt = WireTimestamp.Truncate(clock.GetUtcNow().UtcDateTime);
        var hostSample = host.Sample();
        var readings = await docker.CollectAsync(cancellationToken).ConfigureAwait(false);
        var maxCpu = 100.0 * hostSample.CpuCount;

        var containers = readings.Select(reading =>
        {
            var (usageMiB, memoryPercent) = reading.State == "running"
                ? ContainerMemoryCalculator.Calculate(reading.Memory, hostSample.MemoryTotalBytes)
                : (0, 0);
            return new ContainerStat
            {
                EngineType = EngineTypes.Docker,
                AgentId = options.AgentId,
                NodeName = options.NodeName,
                ContainerName = reading.Name,
                Status = reading.State,
                SampledAt = sampledAt,
                // No baseline yet (first sight, restart) or not running: 0, never a guess.
                CpuPercent = Math.Min(reading.CpuPercent ?? 0, maxCpu),
                MemoryUsageMiB = usageMiB,
                MemoryPercent = memoryPercent,
            };
        }).ToList();

        return new MonitorReport
        {
            EngineType = EngineTypes.Docker,
            AgentId = options.AgentId,
            CpuCount = hostSample.CpuCount,
            CpuPercent = hostSample.CpuPercent,
            MemoryTotalMiB = hostSample.MemoryTotalMiB,
            MemoryUsedMiB = hostSample.MemoryUsedMiB,
            MemoryPercent = hostSample.MemoryPercent,
            SampledAt = sampledAt,
            Containers = containers,
        };
    }
}
