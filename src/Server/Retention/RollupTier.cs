namespace StackScope.Server.Retention;

/// <summary>A level of history: raw samples or a rollup of fixed-width buckets, with its tables.</summary>
internal sealed record RollupTier(string Name, int BucketSeconds, string ServerTable, string ContainerTable)
{
    public static readonly RollupTier Raw = new("raw", 0, "server", "container");

    public static readonly RollupTier FiveMinutes = new("5m", 300, "server_5m", "container_5m");

    public static readonly RollupTier Hour = new("1h", 3600, "server_1h", "container_1h");

    public static readonly IReadOnlyList<RollupTier> All = [Raw, FiveMinutes, Hour];

    public bool IsRollup => BucketSeconds > 0;

    public int RetentionDays(RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return BucketSeconds switch
        {
            0 => options.RawDays,
            300 => options.FiveMinuteDays,
            _ => options.HourDays,
        };
    }

    /// <summary>
    /// The tier a history of <paramref name="stepSeconds"/> buckets reads: 5-minute steps or more the 5-minute tier, an
    /// hour or more the hour tier; a range reaching back past a tier's retention reads the next coarser tier that still
    /// holds it (the hour tier when none does).
    /// </summary>
    public static RollupTier For(DateTime from, int stepSeconds, DateTime now, RetentionOptions options)
    {
        foreach (var tier in All)
        {
            var next = All.SkipWhile(t => t != tier).Skip(1).FirstOrDefault();
            var fine = next is null || stepSeconds < next.BucketSeconds;
            if (fine && from >= now.AddDays(-tier.RetentionDays(options)))
            {
                return tier;
            }
        }

        return Hour;
    }
}
