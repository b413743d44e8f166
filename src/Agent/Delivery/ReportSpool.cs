using System.Globalization;

namespace StackScope.Agent.Delivery;

/// <summary>
/// Reports waiting for the server, one file each, named by sample time so the oldest sorts first. Every
/// report is written here before it is sent, so nothing sampled is lost to a crash, a restart or an outage.
/// Bounded by size and age: past a bound the oldest files are dropped, logged and counted.
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
    private long _dropped;

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
    }

    /// <summary>Reports dropped by the size or age bound since start.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    public string Folder => _folder;

    /// <summary>Writes a report durably (write, fsync, rename) and enforces the bounds.</summary>
    public string Add(byte[] report, DateTime sampledAtUtc)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{sampledAtUtc:yyyyMMddHHmmss}-{Guid.NewGuid():N}{Extension}");
        var path = Path.Combine(_folder, name);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(report);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path);
        Enforce();
        return path;
    }

    /// <summary>The oldest waiting report, or null when the spool is empty.</summary>
    public (string Path, byte[] Body)? Oldest()
    {
        lock (_gate)
        {
            foreach (var path in Files())
            {
                try
                {
                    return (path, File.ReadAllBytes(path));
                }
                catch (FileNotFoundException)
                {
                    // dropped by the bound in the meantime; take the next
                }
            }

            return null;
        }
    }

    public int Count => Files().Count;

    public void Remove(string path)
    {
        lock (_gate)
        {
            File.Delete(path);
        }
    }

    /// <summary>A report the server refused as invalid: kept aside for inspection, never resent.</summary>
    public void Reject(string path)
    {
        lock (_gate)
        {
            Directory.CreateDirectory(_rejectedFolder);
            File.Move(path, Path.Combine(_rejectedFolder, Path.GetFileName(path)), overwrite: true);
        }
    }

    private void Enforce()
    {
        lock (_gate)
        {
            var files = Files().Select(p => new FileInfo(p)).ToList();
            var total = files.Sum(f => f.Length);
            var oldestAllowed = _clock.GetUtcNow().UtcDateTime - _maxAge;
            foreach (var file in files)
            {
                var tooOld = SampledAt(file.Name) is { } sampled && sampled < oldestAllowed;
                if (!tooOld && total <= _maxBytes)
                {
                    break;
                }

                var length = file.Length;
                file.Delete();
                total -= length;
                var dropped = Interlocked.Increment(ref _dropped);
                LogDropped(_logger, file.Name, tooOld ? "older than Agent:SpoolMaxAgeHours" : "spool over Agent:SpoolMaxBytes", dropped);
            }
        }
    }

    private List<string> Files()
    {
        var files = Directory.EnumerateFiles(_folder, "*" + Extension).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static DateTime? SampledAt(string fileName) =>
        fileName.Length >= 14 && DateTime.TryParseExact(fileName[..14], "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped spooled report {File} ({Reason}); {DroppedTotal} dropped since start")]
    private static partial void LogDropped(ILogger logger, string file, string reason, long droppedTotal);
}
