namespace StackScope.Server.Ingest;

internal sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Largest accepted body; larger is answered 413.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    public int MaxContainers { get; set; } = 1000;

    /// <summary>How far ahead of the server's clock a sample time may be before it is refused.</summary>
    public int MaxFutureSkewSeconds { get; set; } = 300;

    /// <summary>Reports waiting for the writer; when full, ingest answers 503 with Retry-After.</summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>Most reports one transaction carries (group commit).</summary>
    public int MaxBatchReports { get; set; } = 500;

    /// <summary>Most rows (each report's server row and container rows) one transaction carries; a larger report goes alone.</summary>
    public int MaxBatchRows { get; set; } = 10_000;

    /// <summary>Concurrent writer loops; 0 takes the storage dialect's choice (1 for SQLite, 2 for MySQL).</summary>
    public int WriterCount { get; set; }
}
