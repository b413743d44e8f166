using System.Globalization;

namespace StackScope.Agent.Delivery;

/// <summary>
/// Reports waiting for the server, one file each, named by sample time so the oldest sorts first. Every
/// report is written here before it is sent, so nothing sampled is lost to a crash, a restart or an outage.
/// Bounded by size and age: past a bound the oldest files are dropped, logged and counted.
/// An index of the files (name and size) is kept in memory, read once at start, so adding, finding the
/// oldest and enforcing the bounds cost O(log n) even after a long outage has queued tens of thousands.
/// </summary>
internal sealed partial class ReportSpool
{
    private const string Extension = ".json";
    private readonly string _folder;
    private readonly string _rejectedFolder;
    private readonly long _maxBytes;
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, long> _index = new(StringComparer.Ordinal);
    private long _totalBytes;
    private long _dropped;
    private string? _leased;

    public ReportSpool(string folder, long maxBytes, TimeSpan maxAge, TimeProvider clock, ILogger<ReportSpool> logger)
    {
        _folder = Path.GetFullPath(folder);
        _rejectedFolder = Path.Combine(_folder, "rejected");
        _maxBytes = maxBytes;
        _maxAge = maxAge;
        _clock = clock;
        _logger = logger;
        Directory.CreateDirectory(_folder);
        // A crash between write and rename leaves a .tmp behind: it was never acknowledged as spooled.
        foreach (var partial in Directory.EnumerateFiles(_folder, "*.tmp"))
        {
            File.Delete(partial);
        }

        foreach (var file in new DirectoryInfo(_folder).EnumerateFiles("*" + Extension))
        {
            _index[file.Name] = file.Length;
            _totalBytes += file.Length;
        }
    }

    /// <summary>Reports dropped by the size or age bound since start.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Writes a report durably (write, fsync, rename) and enforces the bounds.</summary>
    public string Add(byte[] report, DateTime sampledAtUtc)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{sampledAtUtc:yyyyMMddHHmmss}-{Guid.NewGuid():N}{Extension}");
        var path = Path.Combine(_folder, name);
        DurableFile.Write(path, report, replace: false);
        lock (_gate)
        {
            _index[name] = report.Length;
            _totalBytes += report.Length;
            Enforce();
        }

        return path;
    }

    /// <summary>The oldest waiting report, or null when the spool is empty.</summary>
    public (string Path, byte[] Body)? Oldest()
    {
        lock (_gate)
        {
            while (_index.Count > 0)
            {
                var name = _index.Keys.First();
                var path = Path.Combine(_folder, name);
                try
                {
                    return (path, File.ReadAllBytes(path));
                }
                catch (FileNotFoundException)
                {
                    Forget(name); // removed behind our back; take the next
                }
            }

            return null;
        }
    }

    /// <summary>Bytes of the reports waiting.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _totalBytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>
    /// Marks a report as being sent until the lease is disposed: the bounds drop the next oldest instead, so a
    /// report is never both delivered and counted as dropped. Only between a send's start and its answer.
    /// </summary>
    public IDisposable Lease(string path)
    {
        lock (_gate)
        {
            _leased = Path.GetFileName(path);
        }

        return new SpoolLease(this);
    }

    public void Remove(string path)
    {
        lock (_gate)
        {
            File.Delete(path);
            Forget(Path.GetFileName(path));
        }
    }

    /// <summary>A report the server refused as invalid: kept aside for inspection, never resent.</summary>
    public void Reject(string path)
    {
        lock (_gate)
        {
            Directory.CreateDirectory(_rejectedFolder);
            File.Move(path, Path.Combine(_rejectedFolder, Path.GetFileName(path)), overwrite: true);
            Forget(Path.GetFileName(path));
        }
    }

    // Called under _gate.
    private void Enforce()
    {
        var oldestAllowed = _clock.GetUtcNow().UtcDateTime - _maxAge;
        while (_index.Keys.FirstOrDefault(n => n != _leased) is { } name)
        {
            var tooOld = SampledAt(name) is { } sampled && sampled < oldestAllowed;
            if (!tooOld && _totalBytes <= _maxBytes)
            {
                break;
            }

            File.Delete(Path.Combine(_folder, name));
            Forget(name);
            var dropped = Interlocked.Increment(ref _dropped);
            LogDropped(_logger, name, tooOld ? "older than Agent:SpoolMaxAgeHours" : "spool over Agent:SpoolMaxBytes", dropped);
        }
    }

    private sealed class SpoolLease(ReportSpool spool) : IDisposable
    {
        public void Dispose()
        {
            lock (spool._gate)
            {
                spool._leased = null;
            }
        }
    }

    private void Forget(string name)
    {
        if (_index.Remove(name, out var length))
        {
            _totalBytes -= length;
        }
    }

    private static DateTime? SampledAt(string fileName) =>
        fileName.Length >= 14 && DateTime.TryParseExact(fileName[..14], "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped spooled report {File} ({Reason}); {DroppedTotal} dropped since start")]
    private static partial void LogDropped(ILogger logger, string file, string reason, long droppedTotal);
}
