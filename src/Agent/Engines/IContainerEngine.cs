namespace StackScope.Agent.Engines;

/// <summary>
/// A container engine the agent samples (Docker, Podman; the agent may watch several at once). It lists every
/// container, running or not, with raw counters; the figures are computed by the sampler, the same for all.
/// </summary>
internal interface IContainerEngine
{
    /// <summary>The wire's <c>engine_type</c>.</summary>
    string EngineType { get; }

    /// <summary>
    /// Names this engine among the agent's for its lifecycle state and CPU baselines: the engine type, unless the agent
    /// watches two engines of one type (then the second is "docker#2").
    /// </summary>
    string Key { get; }

    /// <summary>For log lines: "Docker engine".</summary>
    string DisplayName { get; }

    /// <summary>Where it is reached (a unix:// or tcp:// address), for log lines.</summary>
    string Address { get; }

    /// <summary>
    /// Every container with its counters. Throws when the engine cannot be listed; a container whose counters
    /// cannot be read is left out of this sample (the engine logs it).
    /// </summary>
    Task<IReadOnlyList<ContainerSample>> SampleAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The engine's container events, normalized, as they happen; from <paramref name="sinceNanos"/> on when the engine
    /// can replay them. Ends when the engine closes the stream; throws when it cannot be reached.
    /// </summary>
    IAsyncEnumerable<EngineEvent> WatchEventsAsync(long? sinceNanos, CancellationToken cancellationToken);
}
