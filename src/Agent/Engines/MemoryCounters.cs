namespace StackScope.Agent.Engines;

/// <summary>
/// A container's memory counters in bytes, engine-neutral: usage, limit (0 for none) and the inactive file
/// cache (cgroup v1 <c>total_inactive_file</c>, v2 <c>inactive_file</c>), which <c>docker stats</c> leaves out.
/// </summary>
internal readonly record struct MemoryCounters(ulong UsageBytes, ulong LimitBytes, ulong InactiveFileBytes)
{
    /// <summary>Picks the inactive file figure from a cgroup's memory.stat keys, whichever version wrote them.</summary>
    public static MemoryCounters FromStat(ulong usage, ulong limit, IReadOnlyDictionary<string, ulong>? stat) =>
        new(usage, limit, stat is null ? 0
            : stat.TryGetValue("total_inactive_file", out var v1) ? v1
            : stat.TryGetValue("inactive_file", out var v2) ? v2 : 0);
}
