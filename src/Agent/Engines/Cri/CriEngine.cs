using System.Collections.Concurrent;
using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Host;

namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// The containers of a Kubernetes node, read through the CRI socket of its runtime (containerd, CRI-O) as kubelet reads
/// them: no API server, token or RBAC, one agent per node. One row per pod container (its newest attempt), counters
/// from its cgroup files (found through the runtime's spec or the process's /proc entry, whatever the cgroup driver),
/// else from the runtime's own stats. <c>ContainerStatus</c> is asked only for an attempt not seen yet or whose listed
/// state changed: an ended attempt's status never changes again.
/// </summary>
internal sealed partial class CriEngine(CriClient client, CgroupStatsReader? cgroups, string procRoot, CriDialect dialect, ILogger<CriEngine> logger)
    : IContainerEngine
{
    // Reference types as generic arguments throughout: a value type (a tuple) gets its own copy of the collection's code in
    // the AOT binary (measured: the first cut of this engine cost 189 KB, most of it such copies).
    private readonly ConcurrentDictionary<string, KnownStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _cgroupOf = new(StringComparer.Ordinal);

    private readonly CriHandoff _handoff = new();
    private readonly CounterSource _counters = new(logger, dialect.DisplayName, "its CRI stats (cgroup files not visible)");

    /// <summary>
    /// The agent's interval: events are read from each sample's listing (<see cref="CriHandoff"/>); when no sample comes
    /// for twice this, the trail looks for itself. kubelet keeps one ended attempt per container, so an attempt that
    /// started and ended between two samples is still listed at the next.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public string EngineType => dialect.EngineType;

    public string DisplayName => dialect.DisplayName;

    public string Key { get; init; } = dialect.EngineType;

    public string Address => client.Address;

    public async Task<IReadOnlyList<ContainerSample>> SampleAsync(CancellationToken cancellationToken)
    {
        var listing = await ListAsync(cancellationToken).ConfigureAwait(false);
        await RefreshAsync(listing.Containers, cancellationToken).ConfigureAwait(false); // the trail reads every attempt's
        await _handoff.OfferAsync(listing, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var now = EngineTime.ToUnixNanos(DateTimeOffset.UtcNow);
        Dictionary<string, CriStats>? stats = null;
        (ulong System, int Online)? host = null; // the host's /proc/stat, read once for the sample's CRI stats
        var samples = new List<ContainerSample>(listing.Rows.Count);
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in listing.Rows)
        {
            var status = StatusOf(row.Id);
            ContainerCounters? counters = null;
            if (row.State == CriState.Running)
            {
                counters = FromFiles(row.Id, status);
                if (counters is not null)
                {
                    read.Add(row.Id);
                    _counters.Files();
                }
                else
                {
                    stats ??= (await client.ListContainerStatsAsync(cancellationToken).ConfigureAwait(false))
                        .GroupBy(s => s.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                    host ??= HostCpu();
                    counters = stats.TryGetValue(row.Id, out var stat) ? FromStats(stat, host) : null;
                    _counters.Fallback();
                    if (counters is null)
                    {
                        continue; // ended between listing and reading: left out of this sample
                    }
                }
            }

            samples.Add(new ContainerSample(row.Id, listing.RowName(row), CriStates.Word(row.State), counters)
            {
                Image = row.Image.Length > 0 ? row.Image : null,
                Labels = listing.LabelsOf(row),
                Lifecycle = status is null ? null : ToLifecycle(listing, row, status, now),
            });
        }

        cgroups?.Retain(read);
        Forget(listing);
        return samples.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    public async IAsyncEnumerable<EngineEvent> WatchEventsAsync(long? sinceNanos,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Resuming, from after what the tracker has taken (it drops a replay by the runtime's exact times, and what a
        // sample reconstructed meanwhile is its twin); a first start reports only what happens from now on. An end
        // still undecided when the agent went away and older than that is told by the samples' reconstruction.
        var trail = new CriEventTrail(sinceNanos ?? EngineTime.ToUnixNanos(DateTimeOffset.UtcNow));
        using var watching = _handoff.Watch();
        ulong? seen = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var offer = await _handoff.TakeAsync(PollInterval * 2 + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var listing = offer?.Listing;
            if (listing is null)
            {
                // No sample came: look for itself. One list call read down to a fingerprint of ids and states; only a
                // change (or an end still undecided, waiting for its pod's sandbox) costs the pods and the statuses.
                var fingerprint = await client.ListContainersFingerprintAsync(cancellationToken).ConfigureAwait(false);
                if (fingerprint == seen && !trail.Waiting)
                {
                    continue;
                }

                seen = fingerprint;
                listing = await ListAsync(cancellationToken).ConfigureAwait(false);
                await RefreshAsync(listing.Containers, cancellationToken).ConfigureAwait(false);
                if (listing.Containers.Any(c => StatusOf(c.Id) is null))
                {
                    seen = null; // a status that failed is asked again next time
                }
            }

            try
            {
                foreach (var engineEvent in trail.Next(listing, id => StatusOf(id), EngineTime.ToUnixNanos(DateTimeOffset.UtcNow)))
                {
                    yield return engineEvent; // the watcher has handed the previous one to the tracker when this resumes
                }
            }
            finally
            {
                offer?.Told.TrySetResult();
            }
        }
    }

    private async Task<CriListing> ListAsync(CancellationToken cancellationToken)
    {
        var sandboxes = await client.ListPodSandboxAsync(cancellationToken).ConfigureAwait(false);
        var containers = await client.ListContainersAsync(cancellationToken).ConfigureAwait(false);
        return new CriListing(sandboxes, containers);
    }

    /// <summary>
    /// Asks the status of each attempt not seen yet or whose listed state changed; a running one verbosely, for its PID
    /// and cgroup. In turn: after the first look at a node, a cycle asks for the few attempts that changed, each in about a
    /// millisecond (containerd answers from memory).
    /// </summary>
    private async Task RefreshAsync(IReadOnlyList<CriContainer> containers, CancellationToken cancellationToken)
    {
        foreach (var container in containers)
        {
            if (_statuses.TryGetValue(container.Id, out var known) && known.Listed == container.State)
            {
                continue;
            }

            try
            {
                if (await client.ContainerStatusAsync(container.Id, container.State == CriState.Running, cancellationToken).ConfigureAwait(false) is { } status)
                {
                    _statuses[container.Id] = new KnownStatus(container.State, status);
                }
            }
            catch (Exception ex) when (ex is CriException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                LogStatusFailed(logger, container.Id, ex.Message); // asked again next time
            }
        }
    }

    private CriStatus? StatusOf(string id) => _statuses.TryGetValue(id, out var known) ? known.Status : null;

    private sealed class KnownStatus(CriState listed, CriStatus status)
    {
        public CriState Listed { get; } = listed;

        public CriStatus Status { get; } = status;
    }

    private void Forget(CriListing listing)
    {
        var listed = listing.Containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _statuses.Keys.Where(id => !listed.Contains(id)))
        {
            _statuses.TryRemove(gone, out _);
            _cgroupOf.TryRemove(gone, out _);
        }
    }

    private ContainerCounters? FromFiles(string id, CriStatus? status)
    {
        if (cgroups is null || status is null)
        {
            return null;
        }

        if (!_cgroupOf.TryGetValue(id, out var placed) || placed is null)
        {
            placed = CriCgroupPath.FromSpec(status.CgroupsPath) ?? FromProc(status.Pid);
            if (placed is null)
            {
                return null;
            }

            _cgroupOf[id] = placed;
        }

        cgroups.Place(id, placed);
        return cgroups.Read(id, status.Pid);
    }

    private string? FromProc(int pid)
    {
        try
        {
            return pid > 0 ? CriCgroupPath.FromProc(File.ReadAllText(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cgroup")),
                cgroups?.IsCgroupV2 ?? false) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The runtime's own counters: CPU time and the working set (what kubelet and <c>kubectl top</c> call memory: usage less
    /// inactive file, as docker stats counts it); the limit is working set + available when the runtime gives the latter.
    /// </summary>
    private static ContainerCounters? FromStats(CriStats stats, (ulong System, int Online)? host)
    {
        if (stats.WorkingSetBytes is not { } workingSet)
        {
            return null;
        }

        var limit = stats.AvailableBytes is { } available ? workingSet + available : 0;
        return new ContainerCounters(stats.CpuNanos is { } cpu && host is { } h ? new CpuSnapshot(cpu, h.System, h.Online) : null,
            new MemoryCounters(workingSet, limit, 0));
    }

    private (ulong System, int Online)? HostCpu()
    {
        try
        {
            var (times, online) = ProcStatParser.Parse(File.ReadAllText(Path.Combine(procRoot, "stat")));
            return (CgroupText.SystemNanos(times), online);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static ContainerLifecycle ToLifecycle(CriListing listing, CriContainer row, CriStatus status, long nowNano)
    {
        // An end not yet told apart (a stop or a failure: see CriExits) is not an end yet for the events: the tracker
        // waits with its die until the trail has decided, so a pod's deletion never reads as a crash.
        var exit = CriExits.Classify(status, listing.SandboxOf(row), listing.Superseded(row), nowNano);
        return new ContainerLifecycle(status.Image.Length > 0 ? status.Image : row.Image, null, 0, (int)Math.Min(row.Attempt, int.MaxValue),
            status.ExitCode, status.Reason == CriExits.OomReason, status.StartedAt, exit == CriExit.Undecided ? 0 : status.FinishedAt, status.Pid);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "ContainerStatus of {Id} failed ({Reason}); asked again next time")]
    private static partial void LogStatusFailed(ILogger logger, string id, string reason);
}
