using System.IO.Compression;
using System.Text;
using StackScope.Server.Storage;

namespace StackScope.Server.Metrics;

/// <summary>
/// One rendering of <c>/metrics</c> at a time, shared: a scrape that arrives while one is being rendered waits for it
/// and sends the same bytes (its samples carry their own times), so N scrapers at once cost one rendering, not N.
/// The gzip form is made once per rendering, when first asked for. At a fleet of 1,000 agents × 20 containers a
/// rendering was seconds of CPU and tens of MB (BENCHMARKS.md, "/metrics").
/// </summary>
internal sealed class FleetScrape(IMetricQueries queries, SelfMetricsRegistry self, ServerMetrics metrics, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<MetricsOptions> options)
{
    // The most agents one scrape reads: a fleet's worth, bounded so a scrape stays a bounded query.
    private const int MaxAgents = 100_000;

    private readonly Lock _gate = new();
    private Task<Rendering>? _inFlight;

    /// <summary>The current rendering: the one in progress if there is one, else a new one.</summary>
    public Task<Rendering> CurrentAsync()
    {
        lock (_gate)
        {
            if (_inFlight is { IsCompleted: false } running)
            {
                return running;
            }

            // Not bound to the first caller's abort: others share it.
            _inFlight = Task.Run(RenderAsync);
            return _inFlight;
        }
    }

    private async Task<Rendering> RenderAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        metrics.ScrapeRendered();
        var agents = await queries.FleetAsync(0, MaxAgents, 2, ct).ConfigureAwait(false);
        var containers = await queries.LatestContainersAsync(ct).ConfigureAwait(false);
        var fileSystems = await queries.LatestFileSystemsAsync(ct).ConfigureAwait(false);
        var text = new StringBuilder(64 * 1024);
        FleetExposition.Write(text, new FleetExposition.Fleet(agents.Items, containers, fileSystems), clock.GetUtcNow().UtcDateTime,
            options.Value.MaxContainersPerAgent);
        var fleet = Encoding.UTF8.GetBytes(text.ToString());
        using var body = new MemoryStream(fleet.Length + 16 * 1024);
        body.Write(fleet);
        await self.Registry.CollectAndExportAsTextAsync(body, ct).ConfigureAwait(false);
        return new Rendering(body.ToArray());
    }

    public sealed class Rendering(byte[] plain)
    {
        private readonly Lazy<byte[]> _gzip = new(() =>
        {
            using var packed = new MemoryStream(plain.Length / 8 + 1024);
            using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(plain);
            }

            return packed.ToArray();
        });

        public byte[] Plain => plain;

        public byte[] Gzip => _gzip.Value;
    }
}

/// <summary><c>Metrics:*</c>: what one agent may add to every scrape.</summary>
internal sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>
    /// The most containers of one agent in <c>/metrics</c> (its running ones first); the rest are counted in
    /// <c>stackscope_agent_containers_omitted</c>. One agent with a huge report must not make every scrape huge.
    /// </summary>
    public int MaxContainersPerAgent { get; set; } = 500;
}
