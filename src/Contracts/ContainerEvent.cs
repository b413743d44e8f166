using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>
/// Something that happened to a container, from the engine's event stream or, when the stream could not have
/// seen it (the agent or the engine was away), reconstructed from the engine's state. It travels inside the next
/// report; (agent_id, container_id, action, time_nano) is its identity, so a resent report stores it once.
/// </summary>
public sealed record ContainerEvent
{
    public const int MaxPerReport = 1000;

    [JsonPropertyName("container_id")]
    public required string ContainerId { get; init; }

    [JsonPropertyName("container_name")]
    public required string ContainerName { get; init; }

    [JsonPropertyName("node_name")]
    public required string NodeName { get; init; }

    /// <summary>One of <see cref="ContainerActions.All"/>.</summary>
    [JsonPropertyName("action")]
    public required string Action { get; init; }

    /// <summary>When it happened, UTC, whole seconds (for reading and range queries).</summary>
    [JsonPropertyName("event_datetime")]
    [JsonConverter(typeof(WireTimestampConverter))]
    public required DateTime OccurredAt { get; init; }

    /// <summary>When it happened in Unix nanoseconds, the engine's own clock: orders events within a second and keys them.</summary>
    [JsonPropertyName("time_nano")]
    public required long TimeNano { get; init; }

    /// <summary><c>engine</c> (its event stream) or <c>reconciled</c> (inferred from the container's state).</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    [JsonPropertyName("image")]
    public string? Image { get; init; }

    /// <summary>For <c>die</c>: the exit code.</summary>
    [JsonPropertyName("exit_code")]
    public int? ExitCode { get; init; }

    /// <summary>For <c>kill</c>: the signal sent.</summary>
    [JsonPropertyName("kill_signal")]
    public int? Signal { get; init; }

    /// <summary>For <c>health_status</c>: healthy, unhealthy or starting.</summary>
    [JsonPropertyName("health")]
    public string? Health { get; init; }
}
