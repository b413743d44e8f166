using StackScope.Agent.Engines;
using StackScope.Agent.Host;
using StackScope.Contracts;

namespace StackScope.Agent.Sampling;

/// <summary>
/// Samples the host and the container engine at one instant and shapes them as one wire report. Each
/// collector runs under the guard with its own budget: an engine that fails gives a report without
/// containers; a host that cannot be read skips this report (its figures are required on the wire).
/// </summary>
internal sealed partial class ReportSampler(
    AgentOptions options, HostCollector host, IContainerEngine engine, ContainerFigures figures, CollectorGuard guard, TimeProvider clock,
    ILogger<ReportSampler> logger)
{
    private readonly HashSet<string> _refitted = new(StringComparer.Ordinal);

    private TimeSpan Budget => TimeSpan.FromSeconds(options.CollectorTimeoutSeconds);

    /// <summary>Baselines for CPU %, so the first report carries real values.</summary>
    public async Task PrimeAsync(CancellationToken cancellationToken)
    {
        await GuardHostAsync(() =>
        {
            host.Prime();
            return host;
        }, cancellationToken).ConfigureAwait(false);
        if (await ReadEngineAsync(cancellationToken).ConfigureAwait(false) is { } samples)
        {
            figures.Compute(engine.EngineType, samples, hostMemoryBytes: 0, maxCpuPercent: 0);
        }
    }

    /// <summary>The report of this instant; null when the host's figures could not be read (logged by the guard).</summary>
    public async Task<MonitorReport?> SampleAsync(CancellationToken cancellationToken)
    {
        // One timestamp for every record of the report, as the original did.
        var sampledAt = WireTimestamp.Truncate(clock.GetUtcNow().UtcDateTime);
        if (await ReadHostAsync(cancellationToken).ConfigureAwait(false) is not { } hostSample)
        {
            return null;
        }

        var samples = await ReadEngineAsync(cancellationToken).ConfigureAwait(false) ?? [];
        var containers = figures.Compute(engine.EngineType, samples, hostSample.MemoryTotalBytes, 100.0 * hostSample.CpuCount)
            .Select(f => new ContainerStat
            {
                EngineType = engine.EngineType,
                AgentId = options.AgentId,
                NodeName = options.NodeName,
                ContainerName = WireName(f.Sample.Name),
                Status = f.Sample.State,
                SampledAt = sampledAt,
                CpuPercent = f.CpuPercent,
                MemoryUsageMiB = f.MemoryMiB,
                MemoryPercent = f.MemoryPercent,
            }).ToList();

        return new MonitorReport
        {
            EngineType = engine.EngineType,
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

    /// <summary>
    /// A name the server would refuse (Docker allows 300+ characters) would cost the whole report, host included,
    /// for as long as that container exists: it is sent as a stable stand-in instead, said once in the log.
    /// </summary>
    private string WireName(string name)
    {
        var fitted = WireNames.Fit(name, isContainerName: true);
        if (!ReferenceEquals(fitted, name) && _refitted.Add(name))
        {
            LogRefitted(logger, fitted, WireNames.Problem(name, isContainerName: true) ?? "");
        }

        return fitted;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "A container's name breaks the wire's rule ({Rule}); it is reported as '{Name}' (a stable stand-in) from now on")]
    private static partial void LogRefitted(ILogger logger, string name, string rule);

    private Task<HostSample?> ReadHostAsync(CancellationToken cancellationToken) => GuardHostAsync(host.Sample, cancellationToken);

    // Task.Run: /proc reads are synchronous; on a wedged mount the guard can still give up at the budget.
    private Task<T?> GuardHostAsync<T>(Func<T> read, CancellationToken cancellationToken)
        where T : class =>
        guard.RunAsync("Host /proc", options.ProcRoot, "reports are skipped", _ => Task.Run(read, CancellationToken.None), Budget, cancellationToken);

    // The list call and the per-container stats calls each have the budget; together they get twice that.
    private Task<IReadOnlyList<ContainerSample>?> ReadEngineAsync(CancellationToken cancellationToken) =>
        guard.RunAsync(engine.DisplayName, engine.Address, "reporting the host without containers", engine.SampleAsync, 2 * Budget, cancellationToken);
}
