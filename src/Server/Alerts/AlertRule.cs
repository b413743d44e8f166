using System.Text.Json.Serialization;

namespace StackScope.Server.Alerts;

/// <summary>
/// One alert rule as the API, the YAML file and the database hold it (snake_case names in all three). Only the
/// fields of its <see cref="Kind"/> matter; <see cref="RuleParser"/> checks them and fills the defaults.
/// </summary>
internal sealed record AlertRule
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary><c>metric</c>, <c>state</c> or <c>absence</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("enabled")]
    public bool Enabled { get; init; } = true;

    /// <summary><c>warning</c> or <c>critical</c>.</summary>
    [JsonPropertyName("severity")]
    public string Severity { get; init; } = AlertSeverities.Warning;

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Metric rules: a name of <see cref="AlertMetrics"/>.</summary>
    [JsonPropertyName("metric")]
    public string? Metric { get; init; }

    /// <summary>Metric rules: <c>avg</c>, <c>min</c> or <c>max</c> over <see cref="WindowSeconds"/>.</summary>
    [JsonPropertyName("aggregate")]
    public string? Aggregate { get; init; }

    /// <summary>Metric rules: the samples aggregated, seconds back from each sample; 0 is the sample alone.</summary>
    [JsonPropertyName("window")]
    public int? WindowSeconds { get; init; }

    /// <summary>Metric rules: <c>&gt;=</c>, <c>&gt;</c>, <c>&lt;=</c> or <c>&lt;</c>.</summary>
    [JsonPropertyName("op")]
    public string? Op { get; init; }

    [JsonPropertyName("threshold")]
    public double? Threshold { get; init; }

    /// <summary>Metric rules: a firing alert resolves only once the value no longer meets <see cref="Op"/> this (hysteresis).</summary>
    [JsonPropertyName("clear")]
    public double? Clear { get; init; }

    /// <summary>How long the condition holds, in sample time, before the alert fires.</summary>
    [JsonPropertyName("for")]
    public int ForSeconds { get; init; }

    /// <summary>State rules: a name of <see cref="AlertConditions"/>.</summary>
    [JsonPropertyName("condition")]
    public string? Condition { get; init; }

    /// <summary>restart_loop: restarts that fire; running_below: the least running containers.</summary>
    [JsonPropertyName("count")]
    public int? Count { get; init; }

    /// <summary>restart_loop: the window the restarts are counted in, seconds.</summary>
    [JsonPropertyName("within")]
    public int? WithinSeconds { get; init; }

    /// <summary>Absence rules: the least silence that fires, whatever the agent's interval (3 x its interval otherwise).</summary>
    [JsonPropertyName("floor")]
    public int? FloorSeconds { get; init; }

    [JsonPropertyName("scope")]
    public RuleScope Scope { get; init; } = RuleScope.Everything;

    /// <summary>The channels notified; empty means every channel.</summary>
    [JsonPropertyName("channels")]
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>While firing, notify again after this many seconds; 0 never.</summary>
    [JsonPropertyName("repeat")]
    public int RepeatSeconds { get; init; }

}

/// <summary>What a rule applies to: every list is "any of", an empty list matches everything.</summary>
internal sealed record RuleScope
{
    public static readonly RuleScope Everything = new();

    [JsonPropertyName("agents")]
    public IReadOnlyList<string> Agents { get; init; } = [];

    [JsonPropertyName("containers")]
    public IReadOnlyList<string> Containers { get; init; } = [];

    [JsonPropertyName("images")]
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>Every label must be present with a value matching the glob (<c>*</c> for any value).</summary>
    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    [JsonIgnore]
    public bool IsEverything => Agents.Count == 0 && Containers.Count == 0 && Images.Count == 0 && Labels.Count == 0;
}

internal static class AlertKinds
{
    public const string Metric = "metric";
    public const string State = "state";
    public const string Absence = "absence";
    public static readonly string[] All = [Metric, State, Absence];
}

internal static class AlertSeverities
{
    public const string Warning = "warning";
    public const string Critical = "critical";
    public static readonly string[] All = [Warning, Critical];
}

internal static class AlertConditions
{
    /// <summary>A container died with a code other than 0 (130, 137 and 143 also pass after a stop the operator asked for).</summary>
    public const string ExitedNonZero = "exited_nonzero";
    public const string OomKilled = "oom_killed";
    public const string Unhealthy = "unhealthy";
    public const string RestartLoop = "restart_loop";
    /// <summary>A container in scope that is not running (a scope name without wildcards also counts when absent).</summary>
    public const string NotRunning = "not_running";
    /// <summary>Fewer than <c>count</c> running containers in scope on an agent.</summary>
    public const string RunningBelow = "running_below";
    public static readonly string[] All = [ExitedNonZero, OomKilled, Unhealthy, RestartLoop, NotRunning, RunningBelow];
}

internal static class AlertAggregates
{
    public const string Avg = "avg";
    public const string Min = "min";
    public const string Max = "max";
    public static readonly string[] All = [Avg, Min, Max];
}

/// <summary>The figures a metric rule may watch, with the range a threshold must fall in.</summary>
internal static class AlertMetrics
{
    public const string HostCpuPercent = "host.cpu_percent";
    public const string HostMemoryPercent = "host.memory_percent";
    public const string HostSwapPercent = "host.swap_percent";
    public const string HostDiskPercent = "host.disk_percent";
    public const string HostLoad1 = "host.load1";
    public const string HostLoad5 = "host.load5";
    public const string HostLoad15 = "host.load15";
    public const string ContainerCpuPercent = "container.cpu_percent";
    public const string ContainerMemoryPercent = "container.memory_percent";
    public const string ContainerMemoryMiB = "container.memory_mb";
    public const string ContainerPids = "container.pids";
    public const string ContainerRestartCount = "container.restart_count";

    public static readonly IReadOnlyDictionary<string, (double Min, double Max, string Unit)> All = new Dictionary<string, (double, double, string)>
    {
        [HostCpuPercent] = (0, 100, "%"),
        [HostMemoryPercent] = (0, 100, "%"),
        [HostSwapPercent] = (0, 100, "%"),
        [HostDiskPercent] = (0, 100, "%"),
        [HostLoad1] = (0, 100_000, ""),
        [HostLoad5] = (0, 100_000, ""),
        [HostLoad15] = (0, 100_000, ""),
        // docker stats' CPU % counts each core as 100.
        [ContainerCpuPercent] = (0, 6_553_600, "%"),
        [ContainerMemoryPercent] = (0, 100, "%"),
        [ContainerMemoryMiB] = (0, 1e9, " MiB"),
        [ContainerPids] = (0, 4_194_304, ""),
        [ContainerRestartCount] = (0, 1_000_000, ""),
    };

    public static bool IsContainer(string? metric) => metric?.StartsWith("container.", StringComparison.Ordinal) == true;
}
