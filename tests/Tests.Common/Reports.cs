using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace StackScope.Tests.Common;

/// <summary>Report bodies built from the original system's sample request.</summary>
public static class Reports
{
    public static string SeedRequest => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Seed", "monitor-info.request.json"));

    public static string SeedResponse => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Seed", "monitor-info.response.json"));

    public static string NewAgentId(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(64, prefix.Length + 33)];

    /// <summary>The seed request with its agent id (report and containers) and sample time replaced.</summary>
    public static JsonObject Seed(string agentId, DateTime? sampledAtUtc = null)
    {
        var report = JsonNode.Parse(SeedRequest)!.AsObject();
        var time = (sampledAtUtc ?? new DateTime(2024, 8, 30, 12, 59, 41, DateTimeKind.Utc)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        report["agent_id"] = agentId;
        report["ser_get_datetime"] = time;
        foreach (var container in report["container_stats"]!.AsArray())
        {
            container!["agent_id"] = agentId;
            container["con_get_datetime"] = time;
        }

        return report;
    }

    /// <summary>The report's containers renamed to <paramref name="names"/>, one each (the first cloned as needed).</summary>
    public static JsonObject WithContainerNames(JsonObject report, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(names);
        var list = report["container_stats"]!.AsArray();
        while (list.Count < names.Count)
        {
            list.Add(list[0]!.DeepClone());
        }

        for (var i = 0; i < names.Count; i++)
        {
            list[i]!["container_name"] = names[i];
        }

        return report;
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string body) =>
        client.PostAsync("/api/v1/monitor-info", Json(body));

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, JsonNode report) =>
        PostAsync(client, report.ToJsonString());
}
