namespace StackScope.Agent.Engines;

/// <summary>A running container's raw counters at one instant; CPU null when the engine gave no usable counter.</summary>
internal sealed record ContainerCounters(CpuSnapshot? Cpu, MemoryCounters Memory);
