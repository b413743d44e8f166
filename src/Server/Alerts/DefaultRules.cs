namespace StackScope.Server.Alerts;

/// <summary>
/// The rules a fresh installation starts with (stored once, at the first start; edit or disable them like any
/// other). They notify every channel: a new installation with one channel configured is covered at once.
/// </summary>
internal static class DefaultRules
{
    public static readonly IReadOnlyList<AlertRule> All =
    [
        new() { Name = "agent-silent", Kind = AlertKinds.Absence, Severity = AlertSeverities.Critical, FloorSeconds = 60,
            Description = "An agent sent no report for max(3 x its interval, 60 s)." },
        new() { Name = "container-exited-nonzero", Kind = AlertKinds.State, Condition = AlertConditions.ExitedNonZero, Severity = AlertSeverities.Critical,
            Description = "A container died with a non-zero exit code (not after a stop the operator asked for)." },
        new() { Name = "container-oom-killed", Kind = AlertKinds.State, Condition = AlertConditions.OomKilled, Severity = AlertSeverities.Critical,
            Description = "The kernel's OOM killer ended a container's process." },
        new() { Name = "container-unhealthy", Kind = AlertKinds.State, Condition = AlertConditions.Unhealthy, ForSeconds = 120,
            Description = "A container's health check failed for 2 minutes." },
        new() { Name = "container-restart-loop", Kind = AlertKinds.State, Condition = AlertConditions.RestartLoop, Count = 3, WithinSeconds = 600,
            Severity = AlertSeverities.Critical, Description = "A container restarted 3 times within 10 minutes." },
        new() { Name = "host-memory-high", Kind = AlertKinds.Metric, Metric = AlertMetrics.HostMemoryPercent, Op = ">=", Threshold = 90, Clear = 85,
            Aggregate = AlertAggregates.Avg, WindowSeconds = 0, ForSeconds = 600, Description = "Host memory at or above 90 % for 10 minutes." },
        new() { Name = "host-disk-full", Kind = AlertKinds.Metric, Metric = AlertMetrics.HostDiskPercent, Op = ">=", Threshold = 90, Clear = 85,
            Aggregate = AlertAggregates.Avg, WindowSeconds = 0, ForSeconds = 600, Description = "A file system at or above 90 % used for 10 minutes." },
    ];
}
