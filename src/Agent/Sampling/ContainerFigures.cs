using StackScope.Agent.Engines;

namespace StackScope.Agent.Sampling;

/// <summary>A container's docker stats figures; <see cref="MemoryLimitBytes"/> null when it has no counters (not running).</summary>
internal sealed record ContainerFigure(ContainerSample Sample, double CpuPercent, double MemoryMiB, double MemoryPercent, ulong? MemoryLimitBytes);

/// <summary>
/// Turns an engine's raw container counters into the figures <c>docker stats</c> shows, the same for every
/// engine. Keeps each running container's previous CPU reading, so its CPU % covers exactly the interval since
/// this agent's previous sample of it; a container seen for the first time, or restarted, reports 0 once.
/// </summary>
internal sealed class ContainerFigures
{
    private readonly Dictionary<(string Engine, string Id), CpuSnapshot> _previous = [];

    public IReadOnlyList<ContainerFigure> Compute(string engine, IReadOnlyList<ContainerSample> samples, ulong hostMemoryBytes, double maxCpuPercent)
    {
        ArgumentNullException.ThrowIfNull(samples);
        // Forget containers that are gone or stopped, so a re-created or restarted one starts afresh.
        var running = samples.Where(s => s.Counters is not null).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _previous.Keys.Where(k => k.Engine == engine && !running.Contains(k.Id)).ToList())
        {
            _previous.Remove(key);
        }

        return samples.Select(sample =>
        {
            if (sample.Counters is not { } counters)
            {
                return new ContainerFigure(sample, 0, 0, 0, null);
            }

            double? cpu = null;
            if (counters.Cpu is { } current)
            {
                if (_previous.TryGetValue((engine, sample.Id), out var previous))
                {
                    cpu = ContainerCpuCalculator.Percent(previous, current);
                }

                _previous[(engine, sample.Id)] = current;
            }

            var (memoryMiB, memoryPercent) = ContainerMemoryCalculator.Calculate(counters.Memory, hostMemoryBytes);
            // No baseline yet (first sight, restart, counter went backwards): 0, never a guess. Paused: 0, as docker
            // stats shows (the frozen cgroup's counter barely moves; its baseline is kept for the unpause).
            var percent = sample.State == "paused" ? 0 : Math.Min(cpu ?? 0, maxCpuPercent);
            return new ContainerFigure(sample, percent, memoryMiB, memoryPercent, ContainerMemoryCalculator.Limit(counters.Memory, hostMemoryBytes));
        }).ToList();
    }
}
