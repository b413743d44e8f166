namespace StackScope.Agent.Engines;

/// <summary>
/// What an engine's inspect says about a container's runs. Times are Unix nanoseconds of the engine's clock (0 for
/// "never"), so an event reconstructed from them keys exactly as when it is reconstructed again.
/// </summary>
internal sealed record ContainerLifecycle(
    string? Image, string? Health, long HealthChangedNano, int RestartCount, int ExitCode, bool OomKilled, long StartedNano, long FinishedNano, int Pid);
