using System.Text.Json.Serialization;

namespace StackScope.Server.Alerts;

internal static class NoticeKinds
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";
    public const string Repeat = "repeat";
    public const string Flapping = "flapping";
    public const string Settled = "settled";
    public const string Backfill = "backfill";
    public const string Test = "test";
}

/// <summary>
/// What a channel is told, kept in the outbox as JSON until delivered. <see cref="Id"/> is stable across retries, so
/// a receiver can drop a repeat delivery (sent, then the server died before it could mark it sent).
/// </summary>
internal sealed record Notice
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("rule")]
    public string? Rule { get; init; }

    [JsonPropertyName("severity")]
    public string Severity { get; init; } = AlertSeverities.Warning;

    [JsonPropertyName("agent_id")]
    public string? AgentId { get; init; }

    [JsonPropertyName("container_name")]
    public string? ContainerName { get; init; }

    [JsonPropertyName("mount_point")]
    public string? MountPoint { get; init; }

    [JsonPropertyName("target")]
    public string? Target { get; init; }

    [JsonPropertyName("summary")]
    public required string Summary { get; init; }

    /// <summary>The sample time of the change (the server's clock for absence, backfill summaries and tests).</summary>
    [JsonPropertyName("at")]
    public required DateTime At { get; init; }

    [JsonPropertyName("started_at")]
    public DateTime? StartedAt { get; init; }

    [JsonPropertyName("resolved_at")]
    public DateTime? ResolvedAt { get; init; }

    [JsonPropertyName("duration_seconds")]
    public long? DurationSeconds { get; init; }

    [JsonPropertyName("value")]
    public double? Value { get; init; }

    [JsonPropertyName("peak")]
    public double? Peak { get; init; }

    [JsonPropertyName("threshold")]
    public double? Threshold { get; init; }

    [JsonPropertyName("incident_id")]
    public long? IncidentId { get; init; }

    [JsonPropertyName("backfilled")]
    public bool Backfilled { get; init; }

    /// <summary>Backfill summaries: the incidents of the late reports.</summary>
    [JsonPropertyName("items")]
    public IReadOnlyList<NoticeItem>? Items { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>One line for chat and mail subjects.</summary>
    public string Title() => Kind switch
    {
        NoticeKinds.Firing => $"[FIRING {Severity}] {Rule}: {Target}",
        NoticeKinds.Resolved => $"[RESOLVED] {Rule}: {Target}",
        NoticeKinds.Repeat => $"[STILL FIRING {Severity}] {Rule}: {Target}",
        NoticeKinds.Flapping => $"[FLAPPING] {Rule}: {Target}",
        NoticeKinds.Settled => $"[SETTLED] {Rule}: {Target}",
        NoticeKinds.Backfill => $"[BACKFILL] {AgentId}: {Items?.Count ?? 0} incidents in late reports",
        _ => "[TEST] StackScope notification channel",
    };

    /// <summary>The body for text channels (Slack, ntfy, mail).</summary>
    public string Text()
    {
        var lines = new List<string> { Summary };
        if (DurationSeconds is { } lasted)
        {
            lines.Add($"Lasted {Durations.Format((int)Math.Min(lasted, int.MaxValue))}" + (Peak is { } peak ? $", peak {peak:0.##}" : ""));
        }

        if (Backfilled)
        {
            lines.Add("Backfilled: found in reports that arrived late.");
        }

        foreach (var item in Items ?? [])
        {
            lines.Add($"- {item.Rule} {item.Target}: {item.Change} at {item.At:yyyy-MM-dd HH:mm:ss}Z; {item.Summary}");
        }

        if (Url is not null)
        {
            lines.Add(Url);
        }

        return string.Join('\n', lines);
    }
}

internal sealed record NoticeItem(
    [property: JsonPropertyName("rule")] string Rule,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("change")] string Change,
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("incident_id")] long? IncidentId);
