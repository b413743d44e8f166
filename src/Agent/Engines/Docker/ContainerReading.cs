namespace StackScope.Agent.Engines.Docker;

/// <summary>
/// One container as read from the engine, before units: CPU % null when there is no baseline yet
/// (first sight, restart) or the container is not running; memory null when not running.
/// </summary>
internal sealed record ContainerReading(string Name, string State, double? CpuPercent, DockerMemoryStats? Memory);
