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

    /// <summary>
    /// The seed request with every optional field StackScope added set to a valid value of its own: host figures, one
    /// file system, one event per container, and each container's docker stats and lifecycle fields.
    /// </summary>
    public static JsonObject Full(string agentId, DateTime? sampledAtUtc = null)
    {
        var report = Seed(agentId, sampledAtUtc);
        var at = DateTime.SpecifyKind(DateTime.ParseExact((string)report["ser_get_datetime"]!, "yyyy-MM-dd HH:mm:ss",
            System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
        report["ser_load_1"] = 0.52;
        report["ser_load_5"] = 0.61;
        report["ser_load_15"] = 0.7;
        report["ser_uptime_seconds"] = 86_400;
        report["ser_swap_total"] = 2048.0;
        report["ser_swap_used"] = 12.0;
        report["ser_net_rx_bytes"] = 123_456_789_012L;
        report["ser_net_tx_bytes"] = 98_765_432_101L;
        report["engine_types"] = new JsonArray("docker", "podman");
        report["unread_engines"] = new JsonArray("podman");
        report["ser_filesystems"] = new JsonArray(
            new JsonObject { ["mount_point"] = "/", ["fs_type"] = "ext4", ["total_bytes"] = 270_553_174_016L, ["used_bytes"] = 21_838_082_048L },
            new JsonObject { ["mount_point"] = "/var/lib/data", ["fs_type"] = "xfs", ["total_bytes"] = 1_000_000_000L, ["used_bytes"] = 0 });
        var events = new JsonArray();
        var i = 0;
        foreach (var container in report["container_stats"]!.AsArray())
        {
            var id = $"{i:x2}{new string('a', 62)}";
            container!["container_id"] = id;
            container["image"] = "registry.example/app:1." + i;
            container["con_net_rx_bytes"] = 1_000L + i;
            container["con_net_tx_bytes"] = 2_000L + i;
            container["con_block_read_bytes"] = 3_000L + i;
            container["con_block_write_bytes"] = 4_000L + i;
            container["con_pids"] = 5 + i;
            container["con_memory_limit"] = 536_870_912L;
            container["con_cpu_usage_ns"] = 9_876_543_210L + i;
            container["health"] = i % 2 == 0 ? "healthy" : "unhealthy";
            container["labels"] = new JsonObject { ["com.docker.compose.project"] = "shop", ["stackscope.alert.ignore"] = i % 2 == 0 ? "false" : "true" };
            container["restart_count"] = i;
            container["exit_code"] = 137;
            container["oom_killed"] = i % 2 == 1;
            container["started_at"] = at.AddHours(-1).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            container["finished_at"] = at.AddHours(-2).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            var eventAt = at.AddSeconds(-1 - i);
            events.Add(new JsonObject
            {
                ["container_id"] = id,
                ["container_name"] = container["container_name"]!.GetValue<string>(),
                ["node_name"] = container["node_name"]!.GetValue<string>(),
                ["action"] = "die",
                ["event_datetime"] = eventAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                ["time_nano"] = ((eventAt - DateTime.UnixEpoch).Ticks * 100) + 123_456_789,
                ["source"] = i % 2 == 0 ? "engine" : "reconciled",
                ["image"] = container["image"]!.GetValue<string>(),
                ["exit_code"] = 3,
                ["kill_signal"] = 9,
                ["health"] = "unhealthy",
            });
            i++;
        }

        report["container_events"] = events;
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

    /// <summary>The seed report with one container of that name and status, and lifecycle events (action, exit code, time) of it.</summary>
    public static JsonObject OneContainer(string agent, DateTime at, string name, string status, params (string Action, int? Code, DateTime At)[] events)
    {
        var report = Reports.Seed(agent, at);
        var containers = report["container_stats"]!.AsArray();
        while (containers.Count > 1)
        {
            containers.RemoveAt(1);
        }

        var id = "ab" + new string('c', 62);
        containers[0]!["container_name"] = name;
        containers[0]!["status"] = status;
        containers[0]!["container_id"] = id;
        report["container_events"] = new JsonArray(events.Select((e, i) => (JsonNode)new JsonObject
        {
            ["container_id"] = id,
            ["container_name"] = name,
            ["node_name"] = containers[0]!["node_name"]!.GetValue<string>(),
            ["action"] = e.Action,
            ["event_datetime"] = e.At.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["time_nano"] = ((e.At - DateTime.UnixEpoch).Ticks * 100) + i,
            ["source"] = "engine",
            ["exit_code"] = e.Code,
        }).ToArray());
        return report;
    }
}
