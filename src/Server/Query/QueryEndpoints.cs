using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Retention;
using StackScope.Server.Storage;

namespace StackScope.Server.Query;

/// <summary>The read API over stored reports, in the same envelope as ingest; lists carry pageInfo.</summary>
internal static class QueryEndpoints
{
    private const int TrendPoints = 30;

    // What any read endpoint may answer besides 200: a bad parameter, no or the wrong credentials, an unknown agent,
    // too many queries at once, the database away.
    private static readonly int[] QueryErrors =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
        StatusCodes.Status404NotFound, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable,
    ];

    public static IEndpointRouteBuilder MapQueryEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Query").RequireAuthorization(Auth.AuthSchemes.ReaderPolicy);
        api.MapGet("/agents", ListAgentsAsync)
            .WithSummary("Every agent: last report, online state, latest host figures, containers by status, CPU trend.")
            .Produces<ApiEnvelope<IReadOnlyList<AgentView>>>()
            .WithQueryParameters(QueryParameterDoc.Page, QueryParameterDoc.Size)
            .ProducesErrors(QueryErrors);
        api.MapGet("/agents/{agentId}/host", HostHistoryAsync)
            .AddEndpointFilter(QueryConcurrencyLimiter.FilterAsync)
            .WithSummary("One agent's host CPU and memory between from and to, bucketed by step (average and maximum).")
            .Produces<ApiEnvelope<HistoryView>>()
            .WithQueryParameters(QueryParameterDoc.From, QueryParameterDoc.To, QueryParameterDoc.Step)
            .ProducesErrors(QueryErrors);
        api.MapGet("/agents/{agentId}/containers", AgentContainersAsync)
            .WithSummary("One agent's containers with the figures of its latest report; on a Kubernetes node, of one namespace or pod.")
            .Produces<ApiEnvelope<IReadOnlyList<ContainerView>>>()
            .WithQueryParameters(QueryParameterDoc.Namespace, QueryParameterDoc.Pod, QueryParameterDoc.Page, QueryParameterDoc.Size)
            .ProducesErrors(QueryErrors);
        api.MapGet("/agents/{agentId}/containers/{containerName}/history", ContainerHistoryAsync)
            .AddEndpointFilter(QueryConcurrencyLimiter.FilterAsync)
            .WithSummary("One container's CPU, memory and running share between from and to, bucketed by step.")
            .Produces<ApiEnvelope<HistoryView>>()
            .WithQueryParameters(QueryParameterDoc.From, QueryParameterDoc.To, QueryParameterDoc.Step)
            .ProducesErrors(QueryErrors);
        api.MapGet("/agents/{agentId}/filesystems", FileSystemsAsync)
            .WithSummary("The file systems of one agent's latest report: mount point, type, size and use in bytes.")
            .Produces<ApiEnvelope<FileSystemsView>>()
            .ProducesErrors(QueryErrors);
        api.MapGet("/agents/{agentId}/events", EventsAsync)
            .AddEndpointFilter(QueryConcurrencyLimiter.FilterAsync)
            .WithSummary("One agent's container events (start, die with exit code, oom, restart, health...) between from and to, newest first, of one container (container) or all.")
            .Produces<ApiEnvelope<IReadOnlyList<EventView>>>()
            .WithQueryParameters(QueryParameterDoc.From, QueryParameterDoc.To, QueryParameterDoc.EventContainer, QueryParameterDoc.Page, QueryParameterDoc.Size)
            .ProducesErrors(QueryErrors);
        api.MapGet("/containers", SearchContainersAsync)
            .AddEndpointFilter(QueryConcurrencyLimiter.FilterAsync)
            .WithSummary("Containers of every agent's latest report, by name substring (name) and/or status.")
            .Produces<ApiEnvelope<IReadOnlyList<ContainerView>>>()
            .WithQueryParameters(QueryParameterDoc.ContainerName, QueryParameterDoc.ContainerStatus, QueryParameterDoc.Page, QueryParameterDoc.Size)
            .ProducesErrors(QueryErrors);
        return app;
    }

    private static async Task ListAgentsAsync(HttpContext context, IMetricQueries queries, TimeProvider clock)
    {
        var (page, size, offset) = QueryParameters.Paging(context.Request);
        var ct = context.RequestAborted;
        var agents = await queries.FleetAsync(offset, size, TrendPoints, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow().UtcDateTime;
        var views = agents.Items.Select(agent =>
        {
            var latest = agent.Recent[0];
            var interval = AgentPresence.IntervalSeconds(agent.Recent);
            return new AgentView(
                agent.AgentId, latest.SampledAt,
                Online: AgentPresence.IsOnline(agent.Recent, now),
                interval, latest.CpuCount, latest.CpuPercent, latest.MemoryTotalMiB, latest.MemoryUsedMiB, latest.MemoryPercent,
                agent.ContainersByStatus.ToDictionary(c => c.Status, c => c.Count),
                agent.Recent.Select(r => r.CpuPercent).Reverse().ToList())
            {
                Load1 = latest.Load1,
                Load5 = latest.Load5,
                Load15 = latest.Load15,
                UptimeSeconds = latest.UptimeSeconds,
                SwapTotalMiB = latest.SwapTotalMiB,
                SwapUsedMiB = latest.SwapUsedMiB,
                NetRxBytes = latest.NetRxBytes,
                NetTxBytes = latest.NetTxBytes,
            };
        }).ToList();

        await Envelopes.WriteAsync(context, new ApiEnvelope<IReadOnlyList<AgentView>>
        {
            Data = views,
            PageInfo = QueryParameters.PageInfo(page, size, agents.TotalCount),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, QueryJsonContext.Default.ApiEnvelopeIReadOnlyListAgentView).ConfigureAwait(false);
    }

    private static async Task HostHistoryAsync(HttpContext context, string agentId, IMetricQueries queries, HistoryPlanner planner, TimeProvider clock)
    {
        var id = QueryParameters.AgentId(agentId);
        var (from, to, wanted) = QueryParameters.Range(context.Request, clock.GetUtcNow().UtcDateTime);
        await RequireAgentAsync(queries, id, context.RequestAborted).ConfigureAwait(false);
        var (source, tier, step) = await planner.PlanAsync(from, wanted, context.RequestAborted).ConfigureAwait(false);
        var buckets = await queries.HostHistoryAsync(id, from, to, step, source, context.RequestAborted).ConfigureAwait(false);
        await WriteHistoryAsync(context, from, to, step, tier, buckets).ConfigureAwait(false);
    }

    private static async Task AgentContainersAsync(HttpContext context, string agentId, IMetricQueries queries)
    {
        var id = QueryParameters.AgentId(agentId);
        var (page, size, offset) = QueryParameters.Paging(context.Request);
        var ns = QueryParameters.Optional(context.Request, "namespace", Contracts.ContainerLabels.MaxValueLength);
        var pod = QueryParameters.Optional(context.Request, "pod", Contracts.ContainerLabels.MaxValueLength);
        var latest = await RequireAgentAsync(queries, id, context.RequestAborted).ConfigureAwait(false);
        if (ns is null && pod is null)
        {
            await WriteContainersAsync(context, await queries.ContainersAtAsync(id, latest.SampledAt, offset, size, context.RequestAborted).ConfigureAwait(false),
                page, size).ConfigureAwait(false);
            return;
        }

        // One report's containers (at most Ingest:MaxContainers) filtered here by their labels, then paged.
        var all = await queries.ContainersAtAsync(id, latest.SampledAt, 0, int.MaxValue, context.RequestAborted).ConfigureAwait(false);
        var matching = all.Items.Where(c => (ns is null || c.Labels?.GetValueOrDefault(Contracts.KubernetesLabels.Namespace) == ns) &&
            (pod is null || c.Labels?.GetValueOrDefault(Contracts.KubernetesLabels.Pod) == pod)).ToList();
        await WriteContainersAsync(context, new Page<ContainerRow>(matching.Skip(offset).Take(size).ToList(), matching.Count), page, size).ConfigureAwait(false);
    }

    private static async Task ContainerHistoryAsync(HttpContext context, string agentId, string containerName, IMetricQueries queries, HistoryPlanner planner,
        TimeProvider clock)
    {
        var id = QueryParameters.AgentId(agentId);
        if (containerName.Length is 0 or > ReportLimits.MaxNameLength || containerName.Any(char.IsControl))
        {
            // Ingest never stores a control character in a name, and one in a path only serves to forge log lines.
            throw QueryParameters.Bad("containerName", $"must be 1-{ReportLimits.MaxNameLength} characters without control characters");
        }

        var (from, to, wanted) = QueryParameters.Range(context.Request, clock.GetUtcNow().UtcDateTime);
        await RequireAgentAsync(queries, id, context.RequestAborted).ConfigureAwait(false);
        var (source, tier, step) = await planner.PlanAsync(from, wanted, context.RequestAborted).ConfigureAwait(false);
        var buckets = await queries.ContainerHistoryAsync(id, containerName, from, to, step, source, context.RequestAborted)
            .ConfigureAwait(false)
            ?? throw new ApiProblemException(StatusCodes.Status404NotFound, ResultCodes.UnknownAgent,
                $"containerName: agent '{id}' never reported a container '{containerName}'");
        await WriteHistoryAsync(context, from, to, step, tier, buckets).ConfigureAwait(false);
    }

    private static async Task FileSystemsAsync(HttpContext context, string agentId, IMetricQueries queries)
    {
        var id = QueryParameters.AgentId(agentId);
        var latest = await RequireAgentAsync(queries, id, context.RequestAborted).ConfigureAwait(false);
        var rows = await queries.FileSystemsAtAsync(id, latest.SampledAt, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<FileSystemsView>
        {
            Data = new FileSystemsView(latest.SampledAt, rows.Select(f => new FileSystemView(f.MountPoint, f.FsType, f.TotalBytes, f.UsedBytes,
                f.TotalBytes > 0 ? Round(100.0 * f.UsedBytes / f.TotalBytes) : 0)).ToList()),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, QueryJsonContext.Default.ApiEnvelopeFileSystemsView).ConfigureAwait(false);
    }

    private static async Task EventsAsync(HttpContext context, string agentId, IMetricQueries queries, TimeProvider clock)
    {
        var id = QueryParameters.AgentId(agentId);
        var (page, size, offset) = QueryParameters.Paging(context.Request);
        var (from, to, _) = QueryParameters.Range(context.Request, clock.GetUtcNow().UtcDateTime);
        var container = QueryParameters.Optional(context.Request, "container", ReportLimits.MaxNameLength);
        await RequireAgentAsync(queries, id, context.RequestAborted).ConfigureAwait(false);
        var events = await queries.EventsAsync(id, container, from, to, offset, size, context.RequestAborted).ConfigureAwait(false);
        await Envelopes.WriteAsync(context, new ApiEnvelope<IReadOnlyList<EventView>>
        {
            Data = events.Items.Select(e => new EventView(e.ContainerId, e.ContainerName, e.NodeName, e.Action, e.OccurredAt, e.TimeNano, e.Source,
                e.Image, e.ExitCode, e.Signal, e.Health)).ToList(),
            PageInfo = QueryParameters.PageInfo(page, size, events.TotalCount),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, QueryJsonContext.Default.ApiEnvelopeIReadOnlyListEventView).ConfigureAwait(false);
    }

    private static async Task SearchContainersAsync(HttpContext context, IMetricQueries queries)
    {
        var (page, size, offset) = QueryParameters.Paging(context.Request);
        var name = QueryParameters.Optional(context.Request, "name", ReportLimits.MaxNameLength);
        var status = QueryParameters.Optional(context.Request, "status", ReportLimits.MaxStatusLength);
        if (status is not null && !status.All(char.IsAsciiLetterLower))
        {
            throw QueryParameters.Bad("status", "must be lower-case letters, e.g. running or exited");
        }

        var containers = await queries.SearchLatestContainersAsync(name, status, offset, size, context.RequestAborted).ConfigureAwait(false);
        await WriteContainersAsync(context, containers, page, size).ConfigureAwait(false);
    }

    private static async Task<HostRow> RequireAgentAsync(IMetricQueries queries, string agentId, CancellationToken cancellationToken) =>
        (await queries.LatestHostRowsAsync(agentId, 1, cancellationToken).ConfigureAwait(false)) is [var latest, ..]
            ? latest
            : throw new ApiProblemException(StatusCodes.Status404NotFound, ResultCodes.UnknownAgent, $"agentId: no report from agent '{agentId}'");

    private static Task WriteHistoryAsync(HttpContext context, DateTime from, DateTime to, int step, RollupTier tier, IReadOnlyList<HistoryBucket> buckets) =>
        Envelopes.WriteAsync(context, new ApiEnvelope<HistoryView>
        {
            Data = new HistoryView(from, to, step, buckets.Select(b => new PointView(b.Start, b.Samples, Round(b.CpuAvg), Round(b.CpuMax),
                Round(b.MemoryAvg), Round(b.MemoryMax), Round(b.MemoryPercentAvg), Round(b.MemoryPercentMax), b.RunningSamples)
            {
                NetRxMax = b.NetRxMax,
                NetTxMax = b.NetTxMax,
                BlockReadMax = b.BlockReadMax,
                BlockWriteMax = b.BlockWriteMax,
                PidsAvg = Round(b.PidsAvg),
                PidsMax = b.PidsMax,
                Load1Avg = Round(b.Load1Avg),
                Load1Max = b.Load1Max,
                LastSampleAt = b.LastSampleAt,
            }).ToList())
            { Tier = tier.Name },
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, QueryJsonContext.Default.ApiEnvelopeHistoryView);

    private static Task WriteContainersAsync(HttpContext context, Page<ContainerRow> containers, int page, int size) =>
        Envelopes.WriteAsync(context, new ApiEnvelope<IReadOnlyList<ContainerView>>
        {
            Data = containers.Items.Select(c => new ContainerView(c.AgentId, c.NodeName, c.ContainerName, c.Status, c.SampledAt,
                c.CpuPercent, c.MemoryUsageMiB, c.MemoryPercent)
            {
                EngineType = c.EngineType,
                ContainerId = c.ContainerId,
                Image = c.Image,
                NetRxBytes = c.NetRxBytes,
                NetTxBytes = c.NetTxBytes,
                BlockReadBytes = c.BlockReadBytes,
                BlockWriteBytes = c.BlockWriteBytes,
                Pids = c.Pids,
                MemoryLimitBytes = c.MemoryLimitBytes,
                CpuUsageNanos = c.CpuUsageNanos,
                Health = c.Health,
                RestartCount = c.RestartCount,
                ExitCode = c.ExitCode,
                OomKilled = c.OomKilled,
                StartedAt = c.StartedAt,
                FinishedAt = c.FinishedAt,
                Labels = c.Labels,
            }).ToList(),
            PageInfo = QueryParameters.PageInfo(page, size, containers.TotalCount),
            ResultCode = ResultCodes.Ok,
            Success = true,
        }, QueryJsonContext.Default.ApiEnvelopeIReadOnlyListContainerView);

    private static double Round(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    private static double? Round(double? value) => value is { } v ? Round(v) : null;

}
