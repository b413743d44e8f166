using System.Collections.Concurrent;
using StackScope.Agent.Engines.Cgroups;

namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// Every container of one engine that speaks the Docker Engine API (Docker, or Podman's compatible service: see
/// <see cref="EngineDialect"/>), running or not, with raw counters from its cgroup files or, where
/// those are not visible, from the Engine API. API stats are fetched concurrently: even with one-shot=true,
/// Docker answers each call at its stats collector's next tick (about 1 s), so calls in sequence would cost a
/// second per container while concurrent ones share the same tick. Each stats call has its own time budget:
/// a container whose stats hang, fail or make no sense is left out of this sample, never the others.
/// </summary>
internal sealed partial class DockerEngine(
    DockerEngineClient client, CgroupStatsReader? cgroups, TimeSpan statsBudget, ILogger<DockerEngine> logger, int maxConcurrency = 128,
    EngineDialect? dialect = null)
    : IContainerEngine
{
    /// <summary>Where dockerd puts a container's cgroup: the cgroupfs driver, then the systemd driver.</summary>
    public static IReadOnlyList<string> CgroupPathPatterns => EngineDialect.Docker.CgroupPathPatterns;

    private readonly EngineDialect _dialect = dialect ?? EngineDialect.Docker;

    private readonly CounterSource _counters = new(logger, (dialect ?? EngineDialect.Docker).DisplayName, "its API (cgroup files not visible)");

    private readonly ConcurrentDictionary<string, bool> _failing = new();

    // A failing container's stats are asked again in the background, one call at a time, and never waited for: one
    // container whose stats hang must not cost every later sample its budget (the interval holds). Once a call answers,
    // the container is read as usual again from the next sample on.
    private readonly ConcurrentDictionary<string, Task<bool>> _probes = new();

    // Inspect is one more call per container: it is asked again only when the list's status text tells of a change
    // ("Up 5 minutes (healthy)" -> "Exited (3) 1 second ago", or a younger "Up" age: it restarted) or an event named
    // the container since, which covers every change of restart count, exit code, OOM flag, health and start/finish.
    private readonly ConcurrentDictionary<string, (string? Status, ContainerLifecycle Lifecycle)> _inspected = new();
    private readonly ConcurrentDictionary<string, bool> _stale = new();

    public string EngineType => _dialect.EngineType;

    public string DisplayName => _dialect.DisplayName;

    public string Key { get; init; } = (dialect ?? EngineDialect.Docker).EngineType;

    public string Address => client.Address;

    public async Task<IReadOnlyList<ContainerSample>> SampleAsync(CancellationToken cancellationToken)
    {
        var containers = await client.ListContainersAsync(cancellationToken).ConfigureAwait(false);
        var samples = new ContainerSample?[containers.Count];
        // A container whose lifecycle is cached and whose cgroup files are visible costs a few file reads: read here,
        // in turn, on this thread. Only what waits on the engine (an inspect, API stats at its 1 s tick) goes on in
        // parallel (measured with perf: fanning every container out to the thread pool spent more CPU in its workers'
        // spinning than the reads themselves).
        List<(int Index, bool Cached, ContainerLifecycle? Lifecycle)>? waiting = null;
        for (var i = 0; i < containers.Count; i++)
        {
            var cached = CachedLifecycle(containers[i], out var lifecycle);
            if (cached && FromFiles(containers[i], lifecycle) is { } sample)
            {
                samples[i] = sample;
            }
            else
            {
                (waiting ??= []).Add((i, cached, lifecycle));
            }
        }

        if (waiting is not null)
        {
            await Parallel.ForEachAsync(waiting, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken },
                async (wait, ct) =>
                {
                    var container = containers[wait.Index];
                    var lifecycle = wait.Cached ? wait.Lifecycle : await InspectAsync(container, ct).ConfigureAwait(false);
                    samples[wait.Index] = (wait.Cached ? null : FromFiles(container, lifecycle))
                        ?? await FromApiAsync(container, lifecycle, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }

        var listed = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _failing.Keys.Where(id => !listed.Contains(id)))
        {
            _failing.TryRemove(gone, out _);
            _probes.TryRemove(gone, out _);
        }

        foreach (var gone in _inspected.Keys.Where(id => !listed.Contains(id)))
        {
            _inspected.TryRemove(gone, out _);
        }

        var result = samples.OfType<ContainerSample>().OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        cgroups?.Retain(result.Where(s => s.Counters is not null).Select(s => s.Id).ToHashSet(StringComparer.Ordinal));
        return result;
    }

    /// <summary>A container without counters (not running), or one whose cgroup files were read; null when the API must answer.</summary>
    private ContainerSample? FromFiles(DockerContainerSummary container, ContainerLifecycle? lifecycle)
    {
        var state = EngineDialect.State(container.State);
        // docker stats shows a paused container's real memory (its cgroup is frozen, not emptied) and 0 % CPU.
        if (state is not ("running" or "paused"))
        {
            return Sample(container, state, null, lifecycle);
        }

        if (cgroups?.Read(container.Id, lifecycle?.Pid ?? 0) is { } direct)
        {
            _counters.Files();
            return Sample(container, state, direct, lifecycle);
        }

        return null;
    }

    private async Task<ContainerSample?> FromApiAsync(DockerContainerSummary container, ContainerLifecycle? lifecycle, CancellationToken cancellationToken)
    {
        _counters.Fallback();
        var name = NameOf(container);
        if (_failing.ContainsKey(container.Id) && !ProbeAnswered(container.Id))
        {
            return null; // still failing: left out without waiting
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(statsBudget);
        try
        {
            var stats = await client.GetStatsAsync(container.Id, budget.Token).ConfigureAwait(false);
            if (stats is null)
            {
                return null; // removed between listing and sampling: left out, not an error
            }

            var counters = DockerStatsConverter.ToCounters(stats);
            Recovered(container.Id, name);
            return Sample(container, EngineDialect.State(container.State), counters, lifecycle);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Hung past its budget, refused, cut short or not JSON: this container sits this sample out.
            if (_failing.TryAdd(container.Id, true))
            {
                LogStatsFailed(logger, name, ex is OperationCanceledException ? $"no answer within {statsBudget.TotalSeconds:0.#} s" : ex.Message);
            }

            return null;
        }
    }

    // Whether the background call for a failing container has answered; otherwise one is (still, or newly) under way.
    private bool ProbeAnswered(string id)
    {
        if (_probes.TryGetValue(id, out var probe) && probe.IsCompleted)
        {
            _probes.TryRemove(id, out _);
            if (probe.Result)
            {
                return true;
            }
        }

        _probes.GetOrAdd(id, key => Task.Run(async () =>
        {
            using var budget = new CancellationTokenSource(statsBudget * 6);
            try
            {
                return await client.GetStatsAsync(key, budget.Token).ConfigureAwait(false) is not null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return false; // still failing; the first failure was logged
            }
        }));
        return false;
    }

    private static ContainerSample Sample(DockerContainerSummary container, string state, ContainerCounters? counters, ContainerLifecycle? lifecycle) =>
        new(container.Id, NameOf(container), state, counters) { Image = container.Image, Labels = container.Labels, Lifecycle = lifecycle };

    private static string NameOf(DockerContainerSummary container) =>
        (container.Names is { Count: > 0 } names ? names[0] : container.Id[..Math.Min(12, container.Id.Length)]).TrimStart('/');

    public async IAsyncEnumerable<EngineEvent> WatchEventsAsync(long? sinceNanos,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in client.StreamEventsAsync(sinceNanos, cancellationToken).ConfigureAwait(false))
        {
            if (EventNormalizer.Normalize(message.Type, message.Action, message.Actor?.Id, message.TimeNano, message.Actor?.Attributes) is { } normalized)
            {
                _stale[normalized.ContainerId] = true;
                yield return normalized;
            }
        }
    }

    /// <summary>From the cache while nothing says it changed.</summary>
    private bool CachedLifecycle(DockerContainerSummary container, out ContainerLifecycle? lifecycle)
    {
        if (!_stale.TryRemove(container.Id, out _) && _inspected.TryGetValue(container.Id, out var known) &&
            !DockerStatusText.Changed(known.Status, container.Status))
        {
            _inspected[container.Id] = (container.Status, known.Lifecycle); // the age it was last seen at
            lifecycle = known.Lifecycle;
            return true;
        }

        lifecycle = null;
        return false;
    }

    /// <summary>Inspected afresh; null when inspect fails (the container is then reported without it).</summary>
    private async Task<ContainerLifecycle?> InspectAsync(DockerContainerSummary container, CancellationToken cancellationToken)
    {
        try
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(statsBudget);
            if (await client.InspectAsync(container.Id, budget.Token).ConfigureAwait(false) is not { } inspect)
            {
                return null;
            }

            var lifecycle = ToLifecycle(inspect, container.Image);
            _inspected[container.Id] = (container.Status, lifecycle);
            return lifecycle;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _stale[container.Id] = true; // ask again next time
            LogInspectFailed(logger, container.Id, ex.Message);
            return null;
        }
    }

    internal static ContainerLifecycle ToLifecycle(DockerInspect inspect, string? listedImage)
    {
        var state = inspect.State;
        var health = state?.Health is { Status: var status } h && Contracts.ContainerHealth.IsKnown(status) ? status : null;
        var changed = health is null ? 0 : EngineTime.ToUnixNanos(state!.Health!.Log is { Count: > 0 } log ? log[^1].End : null);
        return new ContainerLifecycle(
            listedImage ?? inspect.Config?.Image, health, changed, inspect.RestartCount, state?.ExitCode ?? 0, state?.OomKilled ?? false,
            EngineTime.ToUnixNanos(state?.StartedAt), EngineTime.ToUnixNanos(state?.FinishedAt), state?.Pid ?? 0);
    }

    private void Recovered(string id, string name)
    {
        if (_failing.TryRemove(id, out _))
        {
            LogStatsBack(logger, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats of container {Container} failed ({Reason}); it is left out of reports until they answer")]
    private static partial void LogStatsFailed(ILogger logger, string container, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Inspect of container {Id} failed ({Reason}); asked again next sample")]
    private static partial void LogInspectFailed(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stats of container {Container} answer again")]
    private static partial void LogStatsBack(ILogger logger, string container);
}
