namespace StackScope.Server.Storage;

/// <summary>
/// The read side over stored reports. Every query is an index seek or range: latest-state views find
/// an agent's last report through (agent_id, ser_get_datetime) and its containers through
/// (agent_id, con_get_datetime); histories are range scans bucketed in the database.
/// </summary>
internal interface IMetricQueries
{
    /// <summary>A page of agents with their recent host rows and latest container counts, in three round trips.</summary>
    Task<Page<AgentSnapshot>> FleetAsync(int offset, int limit, int recentRows, CancellationToken cancellationToken);

    /// <summary>Every agent's file systems of its latest report, by agent.</summary>
    Task<ILookup<string, FileSystemRow>> LatestFileSystemsAsync(CancellationToken cancellationToken);

    /// <summary>The agent's newest host rows, newest first; empty for an unknown agent.</summary>
    Task<IReadOnlyList<HostRow>> LatestHostRowsAsync(string agentId, int count, CancellationToken cancellationToken);

    Task<IReadOnlyList<StatusCount>> StatusCountsAsync(string agentId, DateTime sampledAt, CancellationToken cancellationToken);

    Task<Page<ContainerRow>> ContainersAtAsync(string agentId, DateTime sampledAt, int offset, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<HistoryBucket>> HostHistoryAsync(string agentId, DateTime from, DateTime to, int stepSeconds, HistorySource source,
        CancellationToken cancellationToken);

    /// <summary>One container's buckets over every node of the agent; null when the agent never reported that container.</summary>
    Task<IReadOnlyList<HistoryBucket>?> ContainerHistoryAsync(string agentId, string containerName,
        DateTime from, DateTime to, int stepSeconds, HistorySource source, CancellationToken cancellationToken);

    /// <summary>The file systems of the agent's report at <paramref name="sampledAt"/>, by mount point.</summary>
    Task<IReadOnlyList<FileSystemRow>> FileSystemsAtAsync(string agentId, DateTime sampledAt, CancellationToken cancellationToken);

    /// <summary>The agent's container events between from and to, of one container name or all, newest first.</summary>
    Task<Page<EventRow>> EventsAsync(string agentId, string? containerName, DateTime from, DateTime to, int offset, int limit,
        CancellationToken cancellationToken);

    /// <summary>Every agent's containers of its latest report, unpaged and uncounted (a scrape reads them all).</summary>
    Task<IReadOnlyList<ContainerRow>> LatestContainersAsync(CancellationToken cancellationToken);

    /// <summary>Containers of every agent's latest report, by name substring and/or status.</summary>
    Task<Page<ContainerRow>> SearchLatestContainersAsync(string? nameContains, string? status, int offset, int limit, CancellationToken cancellationToken);
}
