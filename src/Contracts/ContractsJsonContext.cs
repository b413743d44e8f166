using System.Text.Json.Serialization;

namespace StackScope.Contracts;

/// <summary>
/// The one source-generated serializer context for the wire, shared by agent and server so both
/// read and write exactly the same shapes without reflection (the agent is Native AOT).
/// </summary>
[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, // the optional fields an agent could not read stay off the wire
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(MonitorReport))]
[JsonSerializable(typeof(ApiEnvelope<string>))]
[JsonSerializable(typeof(ContainerStat))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
