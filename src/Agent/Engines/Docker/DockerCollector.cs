using System.Collections.Concurrent;

namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// Samples every container of one Docker engine, running or not. Stats are fetched concurrently: even with
/// one-shot=true, Docker 20.10 answers each call at its stats collector's next tick (about 1 s), so calls in
/// sequence would cost a second per container while concurrent ones share the same tick. Each container's
/// previous CPU reading is kept here so its CPU % covers exactly the interval since this agent's previous report.
/// </summary>
internal sealed partial class DockerCollector(DockerEngineClient client, CgroupStatsReader? cgroups, ILogger<DockerCollector> logger, int maxConcurrency = 128)
{
    private int _source; // 0 unknown, 1 cgroup files, 2 Engine API: logged once when it changes
    private readonly ConcurrentDictionary<string, CpuSnapshot> _previous = new();
    private bool _engineDown;

    /// <summary>Reads every running container once so the first report's CPU % is already real.</summary>
    public Task PrimeAsync(CancellationToken cancellationToken) => CollectAsync(cancellationToken);

    /// <summary>The containers' figures; empty (with one warning, then quiet) while the engine is unreachable.</summary>
    public async Task<IReadOnlyList<ContainerReading>> CollectAsync(CancellationToken cancellationToken)
    {
        List<DockerContainerSummary> containers;
        try
        {
            containers = await client.ListContainersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (!_engineDown)
            {
                LogEngineDown(logger, ex.Message);
                _engineDown = true;
            }

            return [];
        }

        if (_engineDown)
        {
            LogEngineBack(logger, containers.Count);
            _engineDown = false;
        }

        var readings = new ConcurrentBag<ContainerReading>();
        await Parallel.ForEachAsync(containers, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken },
            async (container, ct) =>
            {
                if (await ReadAsync(container, ct).ConfigureAwait(false) is { } reading)
                {
                    readings.Add(reading);
                }
            }).ConfigureAwait(false);

        // Forget containers that are gone, so a re-created one with the same id starts afresh.
        var live = containers.Select(c => c.Id).ToHashSet();
        foreach (var id in _previous.Keys.Where(id => !live.Contains(id)))
        {
            _previous.TryRemove(id, out _);
        }

        return readings.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    private async Task<ContainerReading?> ReadAsync(DockerContainerSummary container, CancellationToken cancellationToken)
    {
        var name = (container.Names is { Count: > 0 } names ? names[0] : container.Id[..Math.Min(12, container.Id.Length)]).TrimStart('/');
        var state = string.IsNullOrEmpty(container.State) ? "unknown" : container.State;
        if (state != "running")
        {
            _previous.TryRemove(container.Id, out _);
            return new ContainerReading(name, state, null, null);
        }

        CpuSnapshot? snapshot;
        DockerMemoryStats? memory;
        if (cgroups?.Read(container.Id) is { } direct)
        {
            NoteSource(1);
            (snapshot, memory) = direct;
        }
        else
        {
            NoteSource(2);
            DockerStats? stats;
            try
            {
                stats = await client.GetStatsAsync(container.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                LogStatsFailed(logger, name, ex.Message);
                return null;
            }

            if (stats is null)
            {
                return null; // removed between listing and sampling: left out, not an error
            }

            snapshot = CpuSnapshot.From(stats);
            memory = stats.MemoryStats;
        }

        double? cpu = null;
        if (snapshot is { } current)
        {
            if (_previous.TryGetValue(container.Id, out var previous))
            {
                cpu = ContainerCpuCalculator.Percent(previous, current);
            }

            _previous[container.Id] = current;
        }

        return new ContainerReading(name, state, cpu, memory);
    }

    private void NoteSource(int source)
    {
        if (Interlocked.Exchange(ref _source, source) != source)
        {
            LogSource(logger, source == 1 ? "the containers' cgroup files" : "the Docker Engine API (cgroup files not visible)");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading container CPU and memory from {Source}")]
    private static partial void LogSource(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Docker engine unreachable ({Reason}); reporting the host without containers until it is back")]
    private static partial void LogEngineDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Docker engine reachable again: {Count} containers")]
    private static partial void LogEngineBack(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stats of {Container} failed: {Reason}")]
    private static partial void LogStatsFailed(ILogger logger, string container, string reason);
}
