namespace StackScope.Agent.Engines;

/// <summary>
/// One container as an engine saw it, before any figure is computed. <see cref="State"/> is the engine's state
/// word (running, exited, paused, ...); <see cref="Counters"/> is null when the container is not running.
/// </summary>
internal sealed record ContainerSample(string Id, string Name, string State, ContainerCounters? Counters);
