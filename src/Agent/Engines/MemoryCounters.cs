namespace StackScope.Agent.Engines;

/// <summary>
/// A container's memory counters in bytes, engine-neutral: usage, limit (0 for none) and the inactive file
/// cache (cgroup v1 <c>total_inactive_file</c>, v2 <c>inactive_file</c>), which <c>docker stats</c> leaves out.
/// </summary>
internal readonly record struct MemoryCounters(ulong UsageBytes, ulong LimitBytes, ulong InactiveFileBytes)
{
    /// <summary>Picks the inactive file figure from a cgroup's memory.stat keys, whichever version wrote them.</summary>
    public static MemoryCounters FromStat(ulong usage, ulong limit, IReadOnlyDictionary<string, ulong>? stat) =>
        new(usage, limit, stat is null ? 0 : InactiveFile(stat, static (keys, key) => keys.TryGetValue(key, out var value) ? value : null, usage));

    /// <summary>
    /// What docker stats leaves out of <paramref name="usage"/>, from a memory.stat however it was read
    /// (<paramref name="value"/> of a key in <paramref name="stat"/>, null when absent; the text itself when read from the
    /// file), by the CLI's rule in turn (stats_helpers.go, calculateMemUsageUnixNoCache): v1's total_inactive_file (the
    /// hierarchy's) when below the usage, else v2's inactive_file when below it, else nothing.
    /// </summary>
    public static ulong InactiveFile<TStat>(TStat stat, Func<TStat, string, ulong?> value, ulong usage)
        where TStat : allows ref struct =>
        value(stat, "total_inactive_file") is { } total && total < usage ? total
        : value(stat, "inactive_file") is { } inactive && inactive < usage ? inactive
        : 0;
}
