using StackScope.Agent.Engines;
using StackScope.Agent.Host;
using StackScope.Agent.Lifecycle;
using StackScope.Contracts;

namespace StackScope.Agent.Sampling;

/// <summary>
/// Samples the host and the container engine at one instant and shapes them as one wire report. Each
/// collector runs under the guard with its own budget: an engine that fails gives a report without
/// containers; a host that cannot be read skips this report (its figures are required on the wire).
/// </summary>
/// <summary>A sampled report and, when a tracker follows the engine, the lifecycle plan to commit once it is spooled.</summary>
internal sealed record SampledReport(MonitorReport Report, LifecyclePlan? Plan);

internal sealed partial class ReportSampler(
    AgentOptions options, HostCollector host, FileSystemCollector fileSystems, IContainerEngine engine, ContainerFigures figures, CollectorGuard guard,
    TimeProvider clock, ILogger<ReportSampler> logger, LifecycleTracker? lifecycle = null)
{
    private readonly HashSet<string> _refitted = new(StringComparer.Ordinal);
    private readonly LabelFilter _labels = new(options.ForwardLabels);

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

    /// <summary>
    /// The report of this instant with the container events since the last one (when a tracker follows the engine);
    /// null when the host's figures could not be read (logged by the guard). Commit the plan once the report is spooled.
    /// </summary>
    public async Task<SampledReport?> SampleAsync(CancellationToken cancellationToken)
    {
        // One timestamp for every record of the report, as the original did.
        var now = clock.GetUtcNow();
        var sampledAt = WireTimestamp.Truncate(now.UtcDateTime);
        if (await ReadHostAsync(cancellationToken).ConfigureAwait(false) is not { } hostSample)
        {
            return null;
        }

        var mounts = await guard.RunAsync("Host file systems", Path.Combine(options.ProcRoot, "mounts"), "reports are sent without file systems",
            _ => Task.Run(fileSystems.Collect, CancellationToken.None), Budget, cancellationToken).ConfigureAwait(false);
        var engineSamples = await ReadEngineAsync(cancellationToken).ConfigureAwait(false);
        var samples = engineSamples ?? [];
        var containers = figures.Compute(engine.EngineType, samples, hostSample.MemoryTotalBytes, 100.0 * hostSample.CpuCount)
            .Select(f => ToStat(f, sampledAt)).ToList();

        // Without the engine's list there is nothing to reconcile with; the stream's events still go out.
        var plan = lifecycle?.Plan(engine.EngineType, engineSamples ?? [], EngineTime.ToUnixNanos(now));
        var report = new MonitorReport
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
            Load1 = hostSample.Load?.One,
            Load5 = hostSample.Load?.Five,
            Load15 = hostSample.Load?.Fifteen,
            UptimeSeconds = hostSample.UptimeSeconds,
            SwapTotalMiB = hostSample.SwapTotalMiB,
            SwapUsedMiB = hostSample.SwapUsedMiB,
            NetRxBytes = hostSample.Network?.Rx,
            NetTxBytes = hostSample.Network?.Tx,
            FileSystems = mounts,
            Events = plan is { Events.Count: > 0 } ? plan.Events : null,
        };
        return new SampledReport(report, plan);
    }

    private ContainerStat ToStat(ContainerFigure f, DateTime sampledAt)
    {
        var sample = f.Sample;
        var io = sample.Counters?.Io;
        var life = sample.Lifecycle;
        return new ContainerStat
        {
            EngineType = engine.EngineType,
            AgentId = options.AgentId,
            NodeName = options.NodeName,
            ContainerName = WireName(sample.Name),
            Status = sample.State,
            SampledAt = sampledAt,
            CpuPercent = f.CpuPercent,
            MemoryUsageMiB = f.MemoryMiB,
            MemoryPercent = f.MemoryPercent,
            ContainerId = ContainerStat.IsValidId(sample.Id) ? sample.Id : null,
            Image = LifecycleTracker.WireImage(sample.Image ?? life?.Image),
            Labels = _labels.Select(sample.Labels),
            // Counters as docker stats shows them for a running or paused container; none for the others.
            NetRxBytes = io?.NetRxBytes,
            NetTxBytes = io?.NetTxBytes,
            BlockReadBytes = io?.BlockReadBytes,
            BlockWriteBytes = io?.BlockWriteBytes,
            Pids = io?.Pids,
            MemoryLimitBytes = f.MemoryLimitBytes is { } limit ? (long)Math.Min(limit, long.MaxValue) : null,
            CpuUsageNanos = sample.Counters?.Cpu is { } cpu ? (long)Math.Min(cpu.ContainerNanos, long.MaxValue) : null,
            Health = life?.Health,
            RestartCount = life?.RestartCount,
            ExitCode = life?.ExitCode,
            OomKilled = life?.OomKilled,
            StartedAt = Time(life?.StartedNano, sampledAt),
            FinishedAt = Time(life?.FinishedNano, sampledAt),
        };
    }

    // The engines' "never" is 0 here. A time the server would refuse, and with it the whole report (before 2000, or
    // ahead of the sample: an engine whose clock runs ahead of the agent's), is left out instead.
    private static DateTime? Time(long? unixNanos, DateTime sampledAt) =>
        unixNanos is > 946_684_800_000_000_000L and var nanos && EngineTime.ToUtc(nanos) is var at && at <= sampledAt + EngineTime.MaxAheadOfAgent
            ? WireTimestamp.Truncate(at)
            : null;

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
