using System.Globalization;

namespace StackScope.Server.Retention;

/// <summary>Settings under "Retention": how long each tier is kept, an optional size cap, and the job's schedule.</summary>
internal sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>The smallest size cap accepted: below it the cap would drop today's data between two runs.</summary>
    public const int MinRawMegabytes = 10;

    /// <summary>Raw samples (tables <c>server</c>, <c>container</c>, <c>server_filesystem</c>), days.</summary>
    public int RawDays { get; set; } = 7;

    public int FiveMinuteDays { get; set; } = 90;

    public int HourDays { get; set; } = 1825;

    /// <summary>Container events (exits, OOM kills, health), days.</summary>
    public int EventDays { get; set; } = 90;

    /// <summary>Resolved alert incidents and sent notifications, days.</summary>
    public int AlertDays { get; set; } = 365;

    /// <summary>When above 0, the oldest raw days are dropped while the raw tables hold more than this (MiB).</summary>
    public int MaxRawMegabytes { get; set; }

    /// <summary>How often the server runs the rollups and the expiry on its own (one process at a time, by lease).</summary>
    public double IntervalMinutes { get; set; } = 5;

    /// <summary>Off only where an outside scheduler runs <c>ss-server maintenance run</c> instead.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rows deleted per statement where expiry deletes (SQLite; MySQL rows not in a whole expired partition).</summary>
    public int DeleteChunkRows { get; set; } = 5000;

    /// <summary>A maintenance lease not renewed for this long passes to another process (renewed between the job's steps).</summary>
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>MySQL/MariaDB: daily partitions created this many days ahead of today.</summary>
    public int PartitionDaysAhead { get; set; } = 3;

    /// <summary>The first invalid setting, named by its key, or null.</summary>
    public string? Problem()
    {
        static string Key(string name) => SectionName + ":" + name;
        foreach (var (name, value) in new[]
                 {
                     (nameof(RawDays), RawDays), (nameof(FiveMinuteDays), FiveMinuteDays), (nameof(HourDays), HourDays),
                     (nameof(EventDays), EventDays), (nameof(AlertDays), AlertDays),
                 })
        {
            if (value < 1)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{Key(name)} must be at least 1 day (got {value})");
            }
        }

        return FiveMinuteDays < RawDays
                ? $"{Key(nameof(FiveMinuteDays))} ({FiveMinuteDays}) must not be shorter than {Key(nameof(RawDays))} ({RawDays}): a tier is rolled up from the one before it"
            : HourDays < FiveMinuteDays
                ? $"{Key(nameof(HourDays))} ({HourDays}) must not be shorter than {Key(nameof(FiveMinuteDays))} ({FiveMinuteDays})"
            : MaxRawMegabytes is < 0 or > 0 and < MinRawMegabytes
                ? $"{Key(nameof(MaxRawMegabytes))} must be 0 (no cap) or at least {MinRawMegabytes} (got {MaxRawMegabytes})"
            : IntervalMinutes is < 0.05 or > 1440
                ? $"{Key(nameof(IntervalMinutes))} must be 0.05-1440 (got {IntervalMinutes.ToString(CultureInfo.InvariantCulture)})"
            : DeleteChunkRows is < 10 or > 1_000_000
                ? $"{Key(nameof(DeleteChunkRows))} must be 10-1000000"
            : LeaseSeconds is < 3 or > 3600
                ? $"{Key(nameof(LeaseSeconds))} must be 3-3600"
            : PartitionDaysAhead is < 1 or > 60
                ? $"{Key(nameof(PartitionDaysAhead))} must be 1-60"
            : null;
    }
}
