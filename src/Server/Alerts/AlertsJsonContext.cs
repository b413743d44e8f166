using System.Text.Json.Serialization;
using StackScope.Contracts;
using StackScope.Server.Alerts.Channels;
using StackScope.Server.Query;

namespace StackScope.Server.Alerts;

/// <summary>What the alerts keep as JSON (state rows, outbox notices, rule and channel definitions) and send to webhooks.</summary>
[JsonSourceGenerationOptions(Converters = [typeof(UtcIsoConverter)], DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TargetState))]
[JsonSerializable(typeof(Notice))]
[JsonSerializable(typeof(AlertRule))]
[JsonSerializable(typeof(ChannelSpec))]
[JsonSerializable(typeof(SlackMessage))]
[JsonSerializable(typeof(AlertmanagerPayload))]
internal sealed partial class AlertsJsonContext : JsonSerializerContext;

/// <summary>The API's answers: the envelope writes every one of its fields, null or not.</summary>
[JsonSourceGenerationOptions(Converters = [typeof(UtcIsoConverter)])]
[JsonSerializable(typeof(SilenceRequest))]
[JsonSerializable(typeof(AckRequest))]
[JsonSerializable(typeof(ApiEnvelope<RulesView>))]
[JsonSerializable(typeof(ApiEnvelope<AlertRule>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<ChannelView>>))]
[JsonSerializable(typeof(ApiEnvelope<ChannelView>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<IncidentView>>))]
[JsonSerializable(typeof(ApiEnvelope<IncidentView>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<SilenceView>>))]
[JsonSerializable(typeof(ApiEnvelope<SilenceView>))]
[JsonSerializable(typeof(ApiEnvelope<ChannelTestView>))]
[JsonSerializable(typeof(ApiEnvelope<ImportView>))]
internal sealed partial class AlertsApiJsonContext : JsonSerializerContext;
