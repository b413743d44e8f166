namespace StackScope.Agent.Engines;

/// <summary>
/// One container as an engine saw it, before any figure is computed. <see cref="State"/> is the engine's state
/// word (running, exited, paused, ...); <see cref="Counters"/> is null when the container is neither running nor
/// paused; <see cref="Lifecycle"/> is null when the engine could not say (the container vanished meanwhile).
/// </summary>
internal sealed record ContainerSample(string Id, string Name, string State, ContainerCounters? Counters)
{
    public string? Image { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public ContainerLifecycle? Lifecycle { get; init; }
}
