using System.Text;
using Prometheus;
using StackScope.Server.Storage;

namespace StackScope.Server.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the fleet's latest figures, then the server's own (its <see cref="ServerMetrics"/> meter and the
/// process's, through prometheus-net), for Prometheus to scrape with a read token.
/// </summary>
internal static class MetricsEndpoints
{
    public const string Path = "/metrics";

    // The most agents one scrape reads: a fleet's worth, bounded so a scrape stays a bounded query.
    private const int MaxAgents = 100_000;

    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ScrapeAsync).RequireAuthorization(Auth.AuthSchemes.ReaderPolicy).ExcludeFromDescription();
        return app;
    }

    private static async Task ScrapeAsync(HttpContext context, IMetricQueries queries, SelfMetricsRegistry self, TimeProvider clock)
    {
        var ct = context.RequestAborted;
        var agents = await queries.FleetAsync(0, MaxAgents, 2, ct).ConfigureAwait(false);
        var containers = await queries.LatestContainersAsync(ct).ConfigureAwait(false);
        var fileSystems = await queries.LatestFileSystemsAsync(ct).ConfigureAwait(false);
        var text = new StringBuilder(64 * 1024);
        FleetExposition.Write(text, new FleetExposition.Fleet(agents.Items, containers, fileSystems), clock.GetUtcNow().UtcDateTime);

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
        await self.Registry.CollectAndExportAsTextAsync(context.Response.Body, ct).ConfigureAwait(false);
    }
}

/// <summary>The server's own figures for <c>/metrics</c>: its meter and the process's, in a registry of their own.</summary>
internal sealed class SelfMetricsRegistry : IDisposable
{
    private readonly IDisposable _adapter;

    public SelfMetricsRegistry(ServerMetrics metrics)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, metrics.Meter),
            ResolveHistogramBuckets = instrument => ServerMetrics.BucketsOf(instrument.Name),
            // The adapter drops a series not updated for a while (10 minutes by default): ours are few and bounded (result
            // codes, channel types), so they are kept as long as it allows, a day, and a rare counter stays visible.
            MetricsExpireAfter = TimeSpan.FromDays(1),
        });
    }

    public CollectorRegistry Registry { get; }

    public void Dispose() => _adapter.Dispose();
}
