using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace StackScope.Server.Alerts.Channels;

/// <summary>
/// Alertmanager's webhook payload (version 4), so receivers written for Alertmanager (and its integrations) take
/// StackScope's notices as they are: one alert per notice, labels alertname/agent/container/severity.
/// </summary>
internal sealed record AlertmanagerPayload
{
    [JsonPropertyName("version")] public string Version { get; init; } = "4";
    [JsonPropertyName("groupKey")] public required string GroupKey { get; init; }
    [JsonPropertyName("truncatedAlerts")] public int TruncatedAlerts { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("receiver")] public string Receiver { get; init; } = "stackscope";
    [JsonPropertyName("groupLabels")] public required IReadOnlyDictionary<string, string> GroupLabels { get; init; }
    [JsonPropertyName("commonLabels")] public required IReadOnlyDictionary<string, string> CommonLabels { get; init; }
    [JsonPropertyName("commonAnnotations")] public required IReadOnlyDictionary<string, string> CommonAnnotations { get; init; }
    [JsonPropertyName("externalURL")] public string ExternalUrl { get; init; } = "";
    [JsonPropertyName("alerts")] public required IReadOnlyList<AlertmanagerAlert> Alerts { get; init; }

    public static AlertmanagerPayload From(Notice notice, string externalUrl)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = notice.Rule ?? notice.Kind,
            ["severity"] = notice.Severity,
            ["stackscope_kind"] = notice.Kind,
        };
        if (notice.AgentId is not null) labels["agent"] = notice.AgentId;
        if (notice.ContainerName is not null) labels["container"] = notice.ContainerName;
        if (notice.MountPoint is not null) labels["mountpoint"] = notice.MountPoint;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["summary"] = notice.Title(), ["description"] = notice.Text() };
        var resolved = notice.Kind == NoticeKinds.Resolved;
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{notice.Rule}\u001f{notice.Target}")))[..16];
        return new AlertmanagerPayload
        {
            GroupKey = $"{{}}:{{alertname=\"{labels["alertname"]}\"}}",
            Status = resolved ? "resolved" : "firing",
            GroupLabels = new Dictionary<string, string> { ["alertname"] = labels["alertname"] },
            CommonLabels = labels,
            CommonAnnotations = annotations,
            ExternalUrl = externalUrl,
            Alerts =
            [
                new AlertmanagerAlert
                {
                    Status = resolved ? "resolved" : "firing",
                    Labels = labels,
                    Annotations = annotations,
                    StartsAt = notice.StartedAt ?? notice.At,
                    EndsAt = resolved ? notice.ResolvedAt ?? notice.At : DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc),
                    GeneratorUrl = notice.Url ?? externalUrl,
                    Fingerprint = fingerprint,
                },
            ],
        };
    }
}

internal sealed record AlertmanagerAlert
{
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("labels")] public required IReadOnlyDictionary<string, string> Labels { get; init; }
    [JsonPropertyName("annotations")] public required IReadOnlyDictionary<string, string> Annotations { get; init; }
    [JsonPropertyName("startsAt")] public DateTime StartsAt { get; init; }

    /// <summary>Alertmanager sends the zero time for a firing alert.</summary>
    [JsonPropertyName("endsAt")] public DateTime EndsAt { get; init; }
    [JsonPropertyName("generatorURL")] public string GeneratorUrl { get; init; } = "";
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; init; } = "";
}
