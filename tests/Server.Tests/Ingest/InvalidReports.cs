using System.Text.Json.Nodes;
using StackScope.Contracts;

namespace StackScope.Server.Tests;

/// <summary>One case per validation rule: how to break a valid report, and the answer it must get.</summary>
public static class InvalidReports
{
    public sealed record InvalidCase(Action<JsonObject> Break, string ResultCode, string MessageFragment);

    private static JsonObject First(JsonObject report) => report["container_stats"]!.AsArray()[0]!.AsObject();

    public static readonly IReadOnlyDictionary<string, InvalidCase> All = new Dictionary<string, InvalidCase>
    {
        ["missing agent_id"] = new(r => r.Remove("agent_id"), ResultCodes.MissingField, "agent_id: required field is missing"),
        ["null ser_cpu_percent"] = new(r => r["ser_cpu_percent"] = null, ResultCodes.MissingField, "ser_cpu_percent: required field is null"),
        ["missing container_stats"] = new(r => r.Remove("container_stats"), ResultCodes.MissingField, "container_stats: required field is missing"),
        ["missing container status"] = new(r => First(r).Remove("status"), ResultCodes.MissingField, "container_stats[0].status: required field is missing"),
        ["null container name"] = new(r => First(r)["container_name"] = null, ResultCodes.MissingField, "container_stats[0].container_name: required field is null"),
        ["agent_id as number"] = new(r => r["agent_id"] = 5, ResultCodes.WrongType, "agent_id: expected a string, got a number"),
        ["cpu count as string"] = new(r => r["ser_cpu_count"] = "1", ResultCodes.WrongType, "ser_cpu_count: expected an integer, got a string"),
        ["cpu count fractional"] = new(r => r["ser_cpu_count"] = 1.5, ResultCodes.WrongType, "ser_cpu_count: expected an integer, got 1.5"),
        ["container_stats as object"] = new(r => r["container_stats"] = new JsonObject(), ResultCodes.WrongType, "container_stats: expected an array, got an object"),
        ["container entry as string"] = new(r => r["container_stats"]!.AsArray()[0] = "x", ResultCodes.WrongType, "container_stats[0]: expected an object, got a string"),
        ["NaN as string"] = new(r => First(r)["con_cpu_percent"] = "NaN", ResultCodes.WrongType, "container_stats[0].con_cpu_percent: expected a number, got a string"),
        ["boolean memory"] = new(r => r["ser_memory_total"] = true, ResultCodes.WrongType, "ser_memory_total: expected a number, got a boolean"),
        ["timestamp as number"] = new(r => r["ser_get_datetime"] = 1724993981, ResultCodes.WrongType, "ser_get_datetime: expected a string"),
        ["unknown engine"] = new(r => r["engine_type"] = "lxc", ResultCodes.InvalidValue, "engine_type: unknown engine 'lxc'"),
        ["agent_id with space"] = new(r => r["agent_id"] = "bad id", ResultCodes.InvalidValue, "agent_id: must be 1-64 characters"),
        ["agent_id empty"] = new(r => r["agent_id"] = "", ResultCodes.InvalidValue, "agent_id: must be 1-64 characters"),
        ["agent_id 65 chars"] = new(r => r["agent_id"] = new string('a', 65), ResultCodes.InvalidValue, "agent_id: must be 1-64 characters"),
        ["negative memory used"] = new(r => r["ser_memory_used"] = -1, ResultCodes.InvalidValue, "ser_memory_used: must not be negative"),
        ["negative container memory"] = new(r => First(r)["con_memory_usage"] = -0.5, ResultCodes.InvalidValue, "container_stats[0].con_memory_usage: must not be negative"),
        ["number overflowing double"] = new(r => r["ser_memory_total"] = JsonNode.Parse("1e400"), ResultCodes.InvalidValue, "ser_memory_total: 1e400 is not a finite number"),
        ["memory percent over 100"] = new(r => r["ser_memory_percent"] = 100.5, ResultCodes.InvalidValue, "ser_memory_percent: must be at most 100"),
        ["container memory percent over 100"] = new(r => First(r)["con_memory_percent"] = 101, ResultCodes.InvalidValue, "container_stats[0].con_memory_percent: must be at most 100"),
        ["host cpu over 100 x count"] = new(r => r["ser_cpu_percent"] = 150, ResultCodes.InvalidValue, "ser_cpu_percent: must be at most 100 x ser_cpu_count (100)"),
        ["container cpu over 100 x count"] = new(r => { r["ser_cpu_count"] = 2; First(r)["con_cpu_percent"] = 200.5; }, ResultCodes.InvalidValue, "container_stats[0].con_cpu_percent: must be at most 100 x ser_cpu_count (200)"),
        ["cpu count zero"] = new(r => r["ser_cpu_count"] = 0, ResultCodes.InvalidValue, "ser_cpu_count: must be 1-"),
        ["memory total zero"] = new(r => { r["ser_memory_total"] = 0; r["ser_memory_used"] = 0; }, ResultCodes.InvalidValue, "ser_memory_total: must be greater than 0"),
        ["used over total"] = new(r => r["ser_memory_used"] = 5000, ResultCodes.InvalidValue, "ser_memory_used: must be at most ser_memory_total"),
        ["status upper case"] = new(r => First(r)["status"] = "RUNNING", ResultCodes.InvalidValue, "container_stats[0].status: must be 1-32 lower-case letters"),
        ["empty container name"] = new(r => First(r)["container_name"] = "", ResultCodes.InvalidValue, "container_stats[0].container_name: must be 1-255 characters"),
        ["trailing space in container name"] = new(r => First(r)["container_name"] = "web ", ResultCodes.InvalidValue, "container_stats[0].container_name: must not end with a space"),
        ["trailing space in node name"] = new(r => First(r)["node_name"] = "node ", ResultCodes.InvalidValue, "container_stats[0].node_name: must not end with a space"),
        ["slash in container name"] = new(r => First(r)["container_name"] = "a/b", ResultCodes.InvalidValue, "container_stats[0].container_name: must not contain '/'"),
        ["container named dot dot"] = new(r => First(r)["container_name"] = "..", ResultCodes.InvalidValue, "container_stats[0].container_name: must not contain '/' nor be '.' or '..'"),
        ["container named dot"] = new(r => First(r)["container_name"] = ".", ResultCodes.InvalidValue, "container_stats[0].container_name: must not contain '/' nor be '.' or '..'"),
        ["control char in node name"] = new(r => First(r)["node_name"] = "a\u0001b", ResultCodes.InvalidValue, "container_stats[0].node_name: must not contain control characters"),
        ["duplicate container"] = new(r => r["container_stats"]!.AsArray().Add(First(r).DeepClone()), ResultCodes.InvalidValue, "container_stats[4].container_name: 'redis-container' on node 'ss-agent' appears twice"),
        ["ISO timestamp"] = new(r => r["ser_get_datetime"] = "2024-08-30T12:59:41", ResultCodes.InvalidTimestamp, "ser_get_datetime: expected UTC 'yyyy-MM-dd HH:mm:ss', got '2024-08-30T12:59:41'"),
        ["impossible date"] = new(r => r["ser_get_datetime"] = "2024-02-30 00:00:00", ResultCodes.InvalidTimestamp, "ser_get_datetime: expected UTC"),
        ["container timestamp with zone"] = new(r => First(r)["con_get_datetime"] = "2024-08-30 12:59:41+09:00", ResultCodes.InvalidTimestamp, "container_stats[0].con_get_datetime: expected UTC"),
        ["timestamp an hour ahead"] = new(r => r["ser_get_datetime"] = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), ResultCodes.InvalidTimestamp, "is in the future"),
        ["timestamp before 2000"] = new(r => r["ser_get_datetime"] = "1999-12-31 23:59:59", ResultCodes.InvalidTimestamp, "ser_get_datetime: 1999-12-31 23:59:59 is before"),
        ["1001 containers"] = new(r =>
        {
            var list = r["container_stats"]!.AsArray();
            var template = First(r);
            list.Clear();
            for (var i = 0; i < 1001; i++)
            {
                var c = template.DeepClone().AsObject();
                c["container_name"] = $"c{i}";
                list.Add(c);
            }
        }, ResultCodes.TooManyContainers, "container_stats: at most 1000 containers per report, got 1001"),
        ["container of another agent"] = new(r => First(r)["agent_id"] = "someone-else", ResultCodes.InconsistentContainer, "container_stats[0].agent_id: 'someone-else' differs from the report's"),
        ["container of another engine"] = new(r => First(r)["engine_type"] = "podman", ResultCodes.InconsistentContainer, "container_stats[0].engine_type: 'podman' differs from the report's 'docker'"),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys)
        {
            data.Add(name);
        }

        return data;
    }
}
