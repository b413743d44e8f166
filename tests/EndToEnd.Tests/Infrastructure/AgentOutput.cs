using System.Text.Json.Nodes;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>What <c>ss-agent --once</c> printed: the host record, one line per container, then the document, status and body.</summary>
public sealed record AgentOutput(JsonObject Host, IReadOnlyList<JsonObject> Containers, string Status, string Body)
{
    public static AgentOutput Parse(string stdout)
    {
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var records = lines.TakeWhile(l => l != "{").Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var documentEnd = lines.FindIndex(records.Count, l => l == "}");
        return new AgentOutput(records[0], records.Skip(1).ToList(), lines[documentEnd + 1], lines[documentEnd + 2]);
    }

    public JsonObject Container(string name) =>
        Containers.SingleOrDefault(c => (string?)c["container_name"] == name)
        ?? throw new InvalidOperationException($"the agent printed no record for {name}");
}
