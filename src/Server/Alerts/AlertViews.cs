using System.Text.Json.Serialization;

namespace StackScope.Server.Alerts;

// What the alerts API answers. Rule and channel definitions keep the rules file's snake_case names (a rule reads the
// same in YAML and JSON); the views around them are camelCase like the rest of the query API.

internal sealed record RulesView(
    [property: JsonPropertyName("managedBy")] string ManagedBy,
    [property: JsonPropertyName("file")] string? File,
    [property: JsonPropertyName("rules")] IReadOnlyList<AlertRule> Rules);

internal sealed record ChannelView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("format")] string? Format,
    [property: JsonPropertyName("pending")] int Pending,
    [property: JsonPropertyName("failedAttempts")] int FailedAttempts,
    [property: JsonPropertyName("lastError")] string? LastError,
    [property: JsonPropertyName("lastSentAt")] DateTime? LastSentAt,
    [property: JsonPropertyName("nextAttemptAt")] DateTime? NextAttemptAt,
    [property: JsonPropertyName("parked")] int Parked,
    [property: JsonPropertyName("parkedError")] string? ParkedError);

internal sealed record IncidentView(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("rule")] string Rule,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("agentId")] string AgentId,
    [property: JsonPropertyName("containerName")] string? ContainerName,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("startedAt")] DateTime StartedAt,
    [property: JsonPropertyName("resolvedAt")] DateTime? ResolvedAt,
    [property: JsonPropertyName("durationSeconds")] long? DurationSeconds,
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("peak")] double? Peak,
    [property: JsonPropertyName("backfilled")] bool Backfilled,
    [property: JsonPropertyName("flapping")] bool Flapping,
    [property: JsonPropertyName("ackedBy")] string? AckedBy,
    [property: JsonPropertyName("ackedUntil")] DateTime? AckedUntil);

internal sealed record SilenceView(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("agents")] string Agents,
    [property: JsonPropertyName("containers")] string Containers,
    [property: JsonPropertyName("rules")] string Rules,
    [property: JsonPropertyName("startsAt")] DateTime StartsAt,
    [property: JsonPropertyName("endsAt")] DateTime EndsAt,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("createdBy")] string CreatedBy);

internal sealed record SilenceRequest(
    [property: JsonPropertyName("agents")] string? Agents,
    [property: JsonPropertyName("containers")] string? Containers,
    [property: JsonPropertyName("rules")] string? Rules,
    [property: JsonPropertyName("startsAt")] DateTime? StartsAt,
    [property: JsonPropertyName("endsAt")] DateTime? EndsAt,
    [property: JsonPropertyName("minutes")] int? Minutes,
    [property: JsonPropertyName("reason")] string? Reason);

internal sealed record AckRequest(
    [property: JsonPropertyName("minutes")] int? Minutes,
    [property: JsonPropertyName("comment")] string? Comment);

internal sealed record ChannelTestView(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("delivered")] bool Delivered,
    [property: JsonPropertyName("error")] string? Error);

internal sealed record ImportView(
    [property: JsonPropertyName("imported")] int Imported,
    [property: JsonPropertyName("replaced")] bool Replaced);
