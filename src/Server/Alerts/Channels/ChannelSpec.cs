using System.Text.Json.Serialization;

namespace StackScope.Server.Alerts.Channels;

internal static class ChannelTypes
{
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Ntfy = "ntfy";
    public const string Email = "email";
    public static readonly string[] All = [Webhook, Slack, Ntfy, Email];
}

/// <summary>
/// A notification channel, from configuration (<c>Alerts:Channels:&lt;name&gt;:*</c>, read-only) or the API (stored).
/// Webhook formats: <c>json</c> (StackScope's notice) or <c>alertmanager</c> (Alertmanager's webhook payload).
/// </summary>
internal sealed record ChannelSpec
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("format")]
    public string? Format { get; init; }

    [JsonPropertyName("smtp_host")]
    public string? SmtpHost { get; init; }

    [JsonPropertyName("smtp_port")]
    public int? SmtpPort { get; init; }

    /// <summary><c>auto</c>, <c>none</c>, <c>starttls</c> or <c>tls</c>.</summary>
    [JsonPropertyName("smtp_security")]
    public string? SmtpSecurity { get; init; }

    [JsonPropertyName("smtp_username")]
    public string? SmtpUsername { get; init; }

    [JsonPropertyName("smtp_password")]
    public string? SmtpPassword { get; init; }

    [JsonPropertyName("from")]
    public string? From { get; init; }

    [JsonPropertyName("to")]
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary><c>config</c> or <c>api</c>; configuration's channels cannot be changed through the API.</summary>
    [JsonPropertyName("source")]
    public string Source { get; init; } = "api";
}
