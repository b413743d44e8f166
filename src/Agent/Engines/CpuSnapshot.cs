namespace StackScope.Agent.Engines;

/// <summary>One reading of a container's CPU counter and the host's, both in nanoseconds, and the CPUs online then.</summary>
internal readonly record struct CpuSnapshot(ulong ContainerNanos, ulong SystemNanos, int OnlineCpus);
