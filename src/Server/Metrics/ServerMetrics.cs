using System.Diagnostics.Metrics;

namespace StackScope.Server.Metrics;

/// <summary>
/// The server's own figures, on <see cref="System.Diagnostics.Metrics"/> (so dotnet-counters and any OpenTelemetry
/// pipeline see them too) and exported on <c>/metrics</c> beside the fleet's. One instance per process.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "StackScope.Server";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _stored;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitSeconds;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _storageErrors;
    private readonly Histogram<double> _alertPassSeconds;
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _scrapeRenderings;
    private Func<int> _queueDepth = () => 0;

    private static readonly double[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    private static readonly double[] CommitBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private static readonly double[] PassBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    /// <summary>The bucket bounds of a histogram of this meter (an exporter that ignores the instruments' advice asks here).</summary>
    public static double[] BucketsOf(string instrument) => instrument switch
    {
        "ingest_batch_reports" => BatchBuckets,
        "ingest_commit_seconds" => CommitBuckets,
        _ => PassBuckets,
    };

    public ServerMetrics()
    {
        _stored = _meter.CreateCounter<long>("ingest_reports", description: "Reports stored (committed).");
        _batchSize = _meter.CreateHistogram<int>("ingest_batch_reports", description: "Reports per committed write batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [.. BatchBuckets.Select(b => (int)b)] });
        _commitSeconds = _meter.CreateHistogram<double>("ingest_commit_seconds", unit: "s",
            description: "From a report's arrival in the write queue to its commit.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });
        _meter.CreateObservableGauge("ingest_queue_reports", () => _queueDepth(), description: "Reports waiting in the write queue.");
        _rejected = _meter.CreateCounter<long>("ingest_rejected_reports", description: "Reports refused, by result code.");
        _storageErrors = _meter.CreateCounter<long>("storage_errors", description: "Write batches the database failed or refused.");
        _alertPassSeconds = _meter.CreateHistogram<double>("alert_pass_seconds", unit: "s", description: "One alert evaluation pass.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PassBuckets });
        _notifications = _meter.CreateCounter<long>("alert_notifications", description: "Notice deliveries, by channel type and outcome.");
        _scrapeRenderings = _meter.CreateCounter<long>("metrics_renderings", description: "Renderings of /metrics (scrapes at once share one).");
    }

    /// <summary>This process's meter (several servers in one test process each have their own).</summary>
    public Meter Meter => _meter;

    /// <summary>How deep the ingest queue is, read at each scrape.</summary>
    public void ObserveQueue(Func<int> depth) => _queueDepth = depth;

    public void Committed(int reports, IEnumerable<double> secondsInQueue)
    {
        _stored.Add(reports);
        _batchSize.Record(reports);
        foreach (var seconds in secondsInQueue)
        {
            _commitSeconds.Record(seconds);
        }
    }

    public void Rejected(string resultCode) => _rejected.Add(1, new KeyValuePair<string, object?>("result_code", resultCode));

    public void StorageError() => _storageErrors.Add(1);

    public void AlertPass(double seconds) => _alertPassSeconds.Record(seconds);

    public void Notification(string channelType, bool delivered) => _notifications.Add(1,
        new KeyValuePair<string, object?>("channel_type", channelType), new KeyValuePair<string, object?>("outcome", delivered ? "sent" : "failed"));

    public void ScrapeRendered() => _scrapeRenderings.Add(1);

    public void Dispose() => _meter.Dispose();
}
