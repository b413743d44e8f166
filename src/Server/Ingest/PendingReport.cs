using StackScope.Contracts;

namespace StackScope.Server.Ingest;

/// <summary>A validated report waiting for its batch to commit; the request awaits <see cref="Committed"/>.</summary>
internal sealed class PendingReport(MonitorReport report, long enqueuedTimestamp)
{
    private readonly TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MonitorReport Report { get; } = report;

    public long EnqueuedTimestamp { get; } = enqueuedTimestamp;

    public Task Committed => _committed.Task;

    public void MarkCommitted() => _committed.TrySetResult();

    public void Fail(Exception exception) => _committed.TrySetException(exception);
}
