using System.Text.Json.Serialization;

namespace StackScope.Agent.Lifecycle;

// What the tracker must remember across an agent restart, kept beside the spool: per engine, the newest stream event
// already in a spooled report (where the engine's replay resumes), each container's last reconciled state, and the
// events recently put in reports (so a replayed or reconstructed event is recognised and not sent twice).

internal sealed record LifecycleState(
    [property: JsonPropertyName("savedAtNano")] long SavedAtNano,
    [property: JsonPropertyName("engines")] Dictionary<string, EngineLifecycleState> Engines);

internal sealed record EngineLifecycleState(
    [property: JsonPropertyName("cursorNano")] long CursorNano,
    [property: JsonPropertyName("known")] Dictionary<string, KnownContainer> Known,
    [property: JsonPropertyName("emitted")] List<EmittedEvent> Emitted);

/// <summary>A container's runs as last reconciled; <see cref="OomPendingNano"/> is when a rise of its OOM counter was first seen unexplained.</summary>
internal sealed record KnownContainer(
    [property: JsonPropertyName("startedNano")] long StartedNano,
    [property: JsonPropertyName("finishedNano")] long FinishedNano,
    [property: JsonPropertyName("health")] string? Health,
    [property: JsonPropertyName("oomKills")] long? OomKills,
    [property: JsonPropertyName("oomPendingNano")] long OomPendingNano);

/// <summary>An event put in a report; a reconstructed one is <see cref="Matched"/> once the stream's own copy of it turned up.</summary>
internal sealed record EmittedEvent(
    [property: JsonPropertyName("id")] string ContainerId,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("timeNano")] long TimeNano,
    [property: JsonPropertyName("reconciled")] bool Reconciled,
    [property: JsonPropertyName("health")] string? Health,
    [property: JsonPropertyName("matched")] bool Matched);

[JsonSerializable(typeof(LifecycleState))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;
