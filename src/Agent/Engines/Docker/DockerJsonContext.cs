using System.Text.Json.Serialization;

namespace StackScope.Agent.Engines.Docker;

[JsonSerializable(typeof(List<DockerContainerSummary>))]
[JsonSerializable(typeof(DockerStats))]
internal sealed partial class DockerJsonContext : JsonSerializerContext;
