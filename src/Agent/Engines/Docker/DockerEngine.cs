using System.Collections.Concurrent;
using StackScope.Agent.Engines.Cgroups;

namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// Every container of one Docker engine, running or not, with raw counters from its cgroup files or, where
/// those are not visible, from the Engine API. API stats are fetched concurrently: even with one-shot=true,
/// Docker answers each call at its stats collector's next tick (about 1 s), so calls in sequence would cost a
/// second per container while concurrent ones share the same tick. Each stats call has its own time budget:
/// a container whose stats hang, fail or make no sense is left out of this sample, never the others.
/// </summary>
internal sealed partial class DockerEngine(
    DockerEngineClient client, CgroupStatsReader? cgroups, TimeSpan statsBudget, ILogger<DockerEngine> logger, int maxConcurrency = 128)
    : IContainerEngine
{
    /// <summary>Where dockerd puts a container's cgroup: the cgroupfs driver, then the systemd driver.</summary>
    public static readonly IReadOnlyList<string> CgroupPathPatterns = ["docker/{id}", "system.slice/docker-{id}.scope"];

    private readonly ConcurrentDictionary<string, bool> _failing = new();
    private int _source; // 0 unknown, 1 cgroup files, 2 Engine API: logged once when it changes

    public string EngineType => Contracts.EngineTypes.Docker;

    public string DisplayName => "Docker engine";

    public string Address => client.Address;

    public async Task<IReadOnlyList<ContainerSample>> SampleAsync(CancellationToken cancellationToken)
    {
        var containers = await client.ListContainersAsync(cancellationToken).ConfigureAwait(false);
        var samples = new ConcurrentBag<ContainerSample>();
        await Parallel.ForEachAsync(containers, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken },
            async (container, ct) =>
            {
                if (await SampleAsync(container, ct).ConfigureAwait(false) is { } sample)
                {
                    samples.Add(sample);
                }
            }).ConfigureAwait(false);

        var listed = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _failing.Keys.Where(id => !listed.Contains(id)))
        {
            _failing.TryRemove(gone, out _);
        }

        return samples.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    private async Task<ContainerSample?> SampleAsync(DockerContainerSummary container, CancellationToken cancellationToken)
    {
        var name = (container.Names is { Count: > 0 } names ? names[0] : container.Id[..Math.Min(12, container.Id.Length)]).TrimStart('/');
        var state = string.IsNullOrEmpty(container.State) ? "unknown" : container.State;
        if (state != "running")
        {
            return new ContainerSample(container.Id, name, state, null);
        }

        if (cgroups?.Read(container.Id) is { } direct)
        {
            NoteSource(1);
            return new ContainerSample(container.Id, name, state, direct);
        }

        NoteSource(2);
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
            return new ContainerSample(container.Id, name, state, counters);
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

    private void Recovered(string id, string name)
    {
        if (_failing.TryRemove(id, out _))
        {
            LogStatsBack(logger, name);
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats of container {Container} failed ({Reason}); it is left out of reports until they answer")]
    private static partial void LogStatsFailed(ILogger logger, string container, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stats of container {Container} answer again")]
    private static partial void LogStatsBack(ILogger logger, string container);
}
