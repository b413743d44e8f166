using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackScope.Contracts;
using StackScope.Server.Api;
using StackScope.Server.Storage;

namespace StackScope.Server.Ingest;

/// <summary>
/// Group commit: requests put validated reports on a bounded queue and wait; writer loops take whatever
/// has gathered (up to a batch) and store it in one transaction with multi-row inserts, then release
/// every waiting request. Under load many reports share one commit (one fsync); when idle a report is
/// written alone at once. A full queue is refused with 503 rather than grown without limit.
/// </summary>
internal sealed partial class IngestWriter : BackgroundService
{
    private const int RetryAfterBusySeconds = 1;

    private readonly Alerts.AlertSignal? _committed;
    private readonly Metrics.ServerMetrics? _metrics;

    private readonly Channel<PendingReport> _queue;
    private readonly IReportWriter _reports;
    private readonly SqlDatabase _database;
    private readonly SchemaGate _schema;
    private readonly TimeProvider _clock;
    private readonly ILogger<IngestWriter> _logger;
    private readonly IngestOptions _options;
    private readonly int _writerCount;

    public IngestWriter(IReportWriter reports, SqlDatabase database, SchemaGate schema, IOptions<IngestOptions> options,
        TimeProvider clock, ILogger<IngestWriter> logger, Alerts.AlertSignal? committed = null, Metrics.ServerMetrics? metrics = null)
    {
        _committed = committed;
        _metrics = metrics;
        _reports = reports;
        _database = database;
        _schema = schema;
        _clock = clock;
        _logger = logger;
        _options = options.Value;
        _writerCount = _options.WriterCount > 0 ? _options.WriterCount : database.Dialect.DefaultWriterCount;
        _queue = Channel.CreateBounded<PendingReport>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = _writerCount == 1,
            // The only continuations are the writer loops' wake-ups (setting their events): run on the request's thread,
            // a wake-up does not wait its turn in a busy thread pool.
            AllowSynchronousContinuations = true,
        });
        metrics?.ObserveQueue(() => _queue.Reader.Count);
    }

    /// <summary>Queues a validated report and returns when it is committed; throws the envelope's 503s.</summary>
    public async Task StoreAsync(MonitorReport report)
    {
        var pending = new PendingReport(report, Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, ResultCodes.ServerBusy,
                "the server is busy (write queue full); nothing was stored, retry later")
            { RetryAfterSeconds = RetryAfterBusySeconds };
        }

        await pending.Committed.ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _schema.EnsureAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Each batch makes sure of the schema again: a database away (or answering oddly) at start costs nothing more.
            LogStorageDown(_logger, ex.Message);
        }

        // On shutdown stop taking new reports but finish every one already accepted.
        await using var stopping = stoppingToken.Register(() => _queue.Writer.TryComplete());
        // Dedicated threads with blocking database calls: a batch's round trips never queue behind HTTP
        // work in the thread pool, which is what made commits stall under load.
        var loops = Enumerable.Range(0, _writerCount)
            .Select(_ => Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private void WriteLoop()
    {
        var batch = new List<PendingReport>(_options.MaxBatchReports);
        var reader = _queue.Reader;
        // A blocked Task wait spins (sched_yield) before it sleeps: at a light load, once per report, that spin cost more
        // CPU than the report's insert. The loop sleeps on its own event instead, without spinning.
        using var ready = new ManualResetEventSlim(false, spinCount: 0);
        Action wake = ready.Set;
        while (WaitForWork(reader, ready, wake))
        {
            batch.Clear();
            BatchTaker.Take(reader, batch, _options.MaxBatchReports, _options.MaxBatchRows);

            if (batch.Count > 0)
            {
                Write(batch);
            }
        }
    }

    private static bool WaitForWork(ChannelReader<PendingReport> reader, ManualResetEventSlim ready, Action wake)
    {
        // What await does (the ValueTask consumed once, through its awaiter), with a blocking wait on the event.
#pragma warning disable CA2012
        var awaiter = reader.WaitToReadAsync(CancellationToken.None).GetAwaiter();
#pragma warning restore CA2012
        if (!awaiter.IsCompleted)
        {
            ready.Reset();
            awaiter.UnsafeOnCompleted(wake);
            ready.Wait();
        }

        return awaiter.GetResult();
    }

    private void Write(List<PendingReport> batch)
    {
        Exception? failure = null;
        var receivedAt = default(DateTime);
        try
        {
            _schema.EnsureAsync(CancellationToken.None).GetAwaiter().GetResult();
            receivedAt = _clock.GetUtcNow().UtcDateTime;
            _reports.WriteBatch(batch.Select(p => p.Report).ToList(), receivedAt);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        if (failure is not null)
        {
            Fail(batch, failure);
            return;
        }

        _committed?.Pulse(batch.Select(p => p.Report), receivedAt);

        _metrics?.Committed(batch.Count, batch.Select(p => Stopwatch.GetElapsedTime(p.EnqueuedTimestamp).TotalSeconds));
        var logStored = _logger.IsEnabled(LogLevel.Information);
        foreach (var pending in batch)
        {
            pending.MarkCommitted();
            if (logStored)
            {
                var commitMs = Stopwatch.GetElapsedTime(pending.EnqueuedTimestamp).TotalMilliseconds;
                LogStored(_logger, pending.Report.AgentId, pending.Report.Containers.Count, commitMs, batch.Count);
            }
        }
    }

    private void Fail(List<PendingReport> batch, Exception failure)
    {
        _metrics?.StorageError();
        if (IsStorageDown(failure))
        {
            LogStorageDown(_logger, failure.Message);
            var unavailable = ApiProblemException.StorageUnavailable(failure);
            foreach (var pending in batch)
            {
                pending.Fail(unavailable);
            }
        }
        else if (batch.Count > 1)
        {
            // The database is up but refused this batch's data where validation let it through: store the
            // reports alone so a single bad one cannot take a batch of good ones down with it.
            LogBatchSplit(_logger, failure, batch.Count);
            foreach (var pending in batch)
            {
                Write([pending]);
            }
        }
        else
        {
            LogReportRefused(_logger, failure, batch[0].Report.AgentId);
            batch[0].Fail(failure);
        }
    }

    private bool IsStorageDown(Exception failure)
    {
        if (failure is StorageUnavailableException)
        {
            return true;
        }

        // The failure alone did not tell: a database that answers a ping refused this data.
        try
        {
            _database.PingAsync(CancellationToken.None).GetAwaiter().GetResult();
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A ping that fails in any way (a node still joining a cluster answers an error of its own) means the
            // database is not there to take the report: 503 and a retry, never an end of this writer.
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Stored report from {AgentId}: {ContainerCount} containers, committed in {CommitMs:0.0} ms (batch of {BatchSize})")]
    private static partial void LogStored(ILogger logger, string agentId, int containerCount, double commitMs, int batchSize);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable, answering 503 until it is back: {Reason}")]
    private static partial void LogStorageDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} reports failed on its data; storing them one by one")]
    private static partial void LogBatchSplit(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The database refused a validated report from {AgentId}; nothing of it was stored")]
    private static partial void LogReportRefused(ILogger logger, Exception exception, string agentId);
}
