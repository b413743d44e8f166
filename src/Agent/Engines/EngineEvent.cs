namespace StackScope.Agent.Engines;

/// <summary>One container event from an engine's stream, normalized: the action as Docker names it, the engine's time in ns.</summary>
internal sealed record EngineEvent(string ContainerId, string Name, string Action, long TimeNano, string? Image, int? ExitCode, int? Signal, string? Health);
