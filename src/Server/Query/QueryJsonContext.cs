using System.Text.Json.Serialization;
using StackScope.Contracts;

namespace StackScope.Server.Query;

[JsonSourceGenerationOptions(Converters = [typeof(UtcIsoConverter)])]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<AgentView>>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<ContainerView>>))]
[JsonSerializable(typeof(ApiEnvelope<HistoryView>))]
[JsonSerializable(typeof(ApiEnvelope<FileSystemsView>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<EventView>>))]
internal sealed partial class QueryJsonContext : JsonSerializerContext;
