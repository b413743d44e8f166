using System.Text.Json.Serialization;

namespace StackScope.Agent.Engines.Docker;

[JsonSerializable(typeof(List<DockerContainerSummary>))]
[JsonSerializable(typeof(DockerStats))]
[JsonSerializable(typeof(DockerInspect))]
[JsonSerializable(typeof(DockerEvent))]
internal sealed partial class DockerJsonContext : JsonSerializerContext;
