using StackScope.Agent.Engines;
using StackScope.Agent.Host;
using StackScope.Agent.Lifecycle;
using StackScope.Contracts;

namespace StackScope.Agent.Sampling;

/// <summary>
/// Samples the host and every container engine at one instant and shapes them as one wire report. Each collector
/// runs under the guard with its own budget, the engines side by side: an engine that fails costs only its own
/// containers (the report names it in <c>unread_engines</c>); a host that cannot be read skips this report (its
/// figures are required on the wire).
/// </summary>
/// <summary>A sampled report and, when a tracker follows the engines, their lifecycle plans to commit once it is spooled.</summary>
internal sealed record SampledReport(MonitorReport Report, IReadOnlyList<LifecyclePlan> Plans);

internal sealed partial class ReportSampler(
    AgentOptions options, HostCollector host, FileSystemCollector fileSystems, IReadOnlyList<IContainerEngine> engines, ContainerFigures figures,
    CollectorGuard guard, TimeProvider clock, ILogger<ReportSampler> logger, LifecycleTracker? lifecycle = null)
{
    private readonly HashSet<string> _refitted = new(StringComparer.Ordinal);
    private readonly LabelFilter _labels = new(options.ForwardLabels);
    private readonly IReadOnlyList<string>? _engineTypes = engines.Count > 1 ? engines.Select(e => e.EngineType).ToList() : null;

    private TimeSpan Budget => TimeSpan.FromSeconds(options.CollectorTimeoutSeconds);

    // A report carries at most ContainerEvent.MaxPerReport events: with several engines each gets its share of the
    // streamed ones, less room for the few that reconciliation adds (one or two per changed container).
    private int StreamedPerEngine => engines.Count == 1 ? ContainerEvent.MaxPerReport : (ContainerEvent.MaxPerReport / engines.Count) - 100;

    /// <summary>Baselines for CPU %, so the first report carries real values.</summary>
    public async Task PrimeAsync(CancellationToken cancellationToken)
    {
        await GuardHostAsync(() =>
        {
            host.Prime();
            return host;
        }, cancellationToken).ConfigureAwait(false);
        // Engines are read side by side, but their baselines go into the one table in turn: it is not thread-safe.
        var read = await Task.WhenAll(engines.Select(e => ReadEngineAsync(e, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < engines.Count; i++)
        {
            if (read[i] is { } samples)
            {
                figures.Compute(engines[i].Key, samples, hostMemoryBytes: 0, maxCpuPercent: 0);
            }
        }
    }

    /// <summary>
    /// The report of this instant with the container events since the last one (when a tracker follows the engines);
    /// null when the host's figures could not be read (logged by the guard). Commit the plans once the report is spooled.
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

        var mounts = guard.RunAsync("Host file systems", Path.Combine(options.ProcRoot, "mounts"), "reports are sent without file systems",
            _ => Task.Run(fileSystems.Collect, CancellationToken.None), Budget, cancellationToken);
        var read = await Task.WhenAll(engines.Select(e => ReadEngineAsync(e, cancellationToken))).ConfigureAwait(false);

        var containers = new List<ContainerStat>();
        var plans = new List<LifecyclePlan>();
        var unread = new List<string>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < engines.Count; i++)
        {
            var engine = engines[i];
            if (read[i] is not { } samples)
            {
                unread.Add(engine.EngineType);
                samples = [];
            }

            var stats = figures.Compute(engine.Key, samples, hostSample.MemoryTotalBytes, 100.0 * hostSample.CpuCount)
                .Select(f => ToStat(engine.EngineType, f, sampledAt)).ToList();
            foreach (var stat in stats)
            {
                containers.Add(taken.Add(stat.ContainerName) ? stat : Distinct(stat, taken));
            }

            // Without the engine's list there is nothing to reconcile with; the stream's events still go out.
            if (lifecycle?.Plan(engine.Key, samples, EngineTime.ToUnixNanos(now), StreamedPerEngine) is { } plan)
            {
                plans.Add(plan);
            }
        }

        var events = plans.SelectMany(p => p.Events).OrderBy(e => e.TimeNano).ToList();
        // The report's own engine_type is the first engine that answered (the first configured when none did), so a
        // Podman-only host whose default Docker socket is missing still reports as podman.
        var first = engines.Where((_, i) => read[i] is not null).Select(e => e.EngineType).FirstOrDefault() ?? engines[0].EngineType;
        var report = new MonitorReport
        {
            EngineType = first,
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
            FileSystems = await mounts.ConfigureAwait(false),
            Events = events.Count > 0 ? events : null,
            EngineTypes = _engineTypes is null ? null : FirstAhead(_engineTypes, first),
            UnreadEngines = unread.Count > 0 ? unread.Distinct(StringComparer.Ordinal).ToList() : null,
        };
        return new SampledReport(report, plans);
    }

    private static List<string> FirstAhead(IReadOnlyList<string> types, string first)
    {
        var order = types.ToList();
        order.Remove(first);
        order.Insert(0, first);
        return order;
    }

    /// <summary>
    /// Names are unique per report (the container's key on the server): a name another engine of this host already
    /// uses is sent with its engine, "web@podman", said once in the log.
    /// </summary>
    private ContainerStat Distinct(ContainerStat stat, HashSet<string> taken)
    {
        var name = WireNames.Fit(stat.ContainerName + "@" + stat.EngineType, isContainerName: true);
        for (var n = 2; !taken.Add(name); n++)
        {
            name = WireNames.Fit($"{stat.ContainerName}@{stat.EngineType}{n}", isContainerName: true);
        }

        if (_refitted.Add(stat.EngineType + "/" + stat.ContainerName))
        {
            LogRenamed(logger, stat.ContainerName, stat.EngineType, name);
        }

        return stat with { ContainerName = name };
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Container name '{Name}' is used by two engines; the {Engine} one is reported as '{Reported}'")]
    private static partial void LogRenamed(ILogger logger, string name, string engine, string reported);

    private ContainerStat ToStat(string engineType, ContainerFigure f, DateTime sampledAt)
    {
        var sample = f.Sample;
        var io = sample.Counters?.Io;
        var life = sample.Lifecycle;
        return new ContainerStat
        {
            EngineType = engineType,
            AgentId = options.AgentId,
            NodeName = options.NodeName,
            ContainerName = WireName(sample.Name),
            Status = sample.State,
            SampledAt = sampledAt,
            CpuPercent = f.CpuPercent,
            MemoryUsageMiB = f.MemoryMiB,
            MemoryPercent = f.MemoryPercent,
            ContainerId = ContainerStat.IsValidId(sample.Id) ? sample.Id : null,
            Image = EventWire.WireImage(sample.Image ?? life?.Image),
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
    private Task<IReadOnlyList<ContainerSample>?> ReadEngineAsync(IContainerEngine engine, CancellationToken cancellationToken) =>
        guard.RunAsync(engine.DisplayName, engine.Address, engines.Count > 1 ? "reporting the others' containers" : "reporting the host without containers",
            engine.SampleAsync, 2 * Budget, cancellationToken);
}
