using Prometheus;

namespace StackScope.Server.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the fleet's latest figures, then the server's own (its <see cref="ServerMetrics"/> meter and the
/// process's, through prometheus-net), for Prometheus to scrape with a read token.
/// </summary>
internal static class MetricsEndpoints
{
    public const string Path = "/metrics";

    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ScrapeAsync).RequireAuthorization(Auth.AuthSchemes.ReaderPolicy).ExcludeFromDescription();
        return app;
    }

    private static async Task ScrapeAsync(HttpContext context, FleetScrape scrape)
    {
        var rendering = await scrape.CurrentAsync().WaitAsync(context.RequestAborted).ConfigureAwait(false);
        var gzip = AcceptsGzip(context.Request);
        var body = gzip ? rendering.Gzip : rendering.Plain;
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        // A scrape is a snapshot of now: no cache may keep it.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Vary = "Accept-Encoding";
        if (gzip)
        {
            context.Response.Headers.ContentEncoding = "gzip";
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e => string.Equals(e.Value.Value, "gzip", StringComparison.OrdinalIgnoreCase) && e.Quality is not 0);
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
