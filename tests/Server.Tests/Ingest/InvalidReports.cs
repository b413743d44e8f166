using System.Text.Json.Nodes;
using StackScope.Contracts;

namespace StackScope.Server.Tests;

/// <summary>One case per validation rule: how to break a valid report, and the answer it must get.</summary>
public static class InvalidReports
{
    public sealed record InvalidCase(Action<JsonObject> Break, string ResultCode, string MessageFragment);

    private static JsonObject First(JsonObject report) => report["container_stats"]!.AsArray()[0]!.AsObject();

    /// <summary>Adds a valid file system to the report and returns it, to be broken.</summary>
    private static JsonObject FileSystem(JsonObject report)
    {
        var fs = new JsonObject { ["mount_point"] = "/", ["fs_type"] = "ext4", ["total_bytes"] = 1000, ["used_bytes"] = 10 };
        report["ser_filesystems"] = new JsonArray(fs);
        return fs;
    }

    /// <summary>Adds a valid event (at the report's time) to the report and returns it, to be broken.</summary>
    private static JsonObject Event(JsonObject report)
    {
        if (!WireTimestamp.TryParse((string?)report["ser_get_datetime"], out var at))
        {
            throw new InvalidOperationException("the base report's time is not a wire timestamp");
        }

        var e = new JsonObject
        {
            ["container_id"] = "0123abcd",
            ["container_name"] = "web",
            ["node_name"] = "node",
            ["action"] = "die",
            ["event_datetime"] = WireTimestamp.ToWire(at),
            ["time_nano"] = (at - DateTime.UnixEpoch).Ticks * 100 + 5,
            ["source"] = "engine",
            ["exit_code"] = 3,
        };
        report["container_events"] = new JsonArray(e);
        return e;
    }

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
        ["malformed engine"] = new(r => r["engine_type"] = "Docker Engine", ResultCodes.InvalidValue, "engine_type: 1-16 characters of [a-z0-9._-], got 'Docker Engine'"),
        ["engine type too long"] = new(r => r["engine_type"] = new string('e', 17), ResultCodes.InvalidValue, "engine_type: 1-16 characters"),
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
        ["negative load"] = new(r => r["ser_load_1"] = -0.1, ResultCodes.InvalidValue, "ser_load_1: must not be negative"),
        ["load 5 as string"] = new(r => r["ser_load_5"] = "1", ResultCodes.WrongType, "ser_load_5: expected a number, got a string"),
        ["load 15 as boolean"] = new(r => r["ser_load_15"] = true, ResultCodes.WrongType, "ser_load_15: expected a number, got a boolean"),
        ["uptime fractional"] = new(r => r["ser_uptime_seconds"] = 1.5, ResultCodes.WrongType, "ser_uptime_seconds: expected an integer, got 1.5"),
        ["negative swap total"] = new(r => r["ser_swap_total"] = -1, ResultCodes.InvalidValue, "ser_swap_total: must not be negative"),
        ["swap used over total"] = new(r => { r["ser_swap_total"] = 10; r["ser_swap_used"] = 11; }, ResultCodes.InvalidValue, "ser_swap_used: must be at most ser_swap_total"),
        ["negative host rx"] = new(r => r["ser_net_rx_bytes"] = -1, ResultCodes.InvalidValue, "ser_net_rx_bytes: must not be negative"),
        ["host tx as string"] = new(r => r["ser_net_tx_bytes"] = "1", ResultCodes.WrongType, "ser_net_tx_bytes: expected an integer, got a string"),
        ["filesystems as object"] = new(r => r["ser_filesystems"] = new JsonObject(), ResultCodes.WrongType, "ser_filesystems: expected an array, got an object"),
        ["relative mount point"] = new(r => FileSystem(r)["mount_point"] = "data", ResultCodes.InvalidValue, "ser_filesystems[0].mount_point: must be an absolute path"),
        ["fs type with space"] = new(r => FileSystem(r)["fs_type"] = "ext 4", ResultCodes.InvalidValue, "ser_filesystems[0].fs_type: must be 1-32 characters without spaces"),
        ["negative fs total"] = new(r => FileSystem(r)["total_bytes"] = -1, ResultCodes.InvalidValue, "ser_filesystems[0].total_bytes: must not be negative"),
        ["fs used over total"] = new(r => FileSystem(r)["used_bytes"] = 1001, ResultCodes.InvalidValue, "ser_filesystems[0].used_bytes: must be at most total_bytes"),
        ["duplicate mount point"] = new(r => { var fs = FileSystem(r); r["ser_filesystems"]!.AsArray().Add(fs.DeepClone()); }, ResultCodes.InvalidValue, "ser_filesystems[1].mount_point: '/' appears twice"),
        ["events as string"] = new(r => r["container_events"] = "x", ResultCodes.WrongType, "container_events: expected an array, got a string"),
        ["event without container id"] = new(r => Event(r).Remove("container_id"), ResultCodes.MissingField, "container_events[0].container_id: required field is missing"),
        ["event container id with dash"] = new(r => Event(r)["container_id"] = "ab-cd", ResultCodes.InvalidValue, "container_events[0].container_id: must be 1-128 letters or digits"),
        ["event container name with slash"] = new(r => Event(r)["container_name"] = "a/b", ResultCodes.InvalidValue, "container_events[0].container_name: must not contain '/'"),
        ["event node name empty"] = new(r => Event(r)["node_name"] = "", ResultCodes.InvalidValue, "container_events[0].node_name: must be 1-255 characters"),
        ["unknown event action"] = new(r => Event(r)["action"] = "explode", ResultCodes.InvalidValue, "container_events[0].action: unknown action 'explode'"),
        ["event time ISO"] = new(r => Event(r)["event_datetime"] = "2024-08-30T12:59:41", ResultCodes.InvalidTimestamp, "container_events[0].event_datetime: expected UTC"),
        ["event nanos of another second"] = new(r => { var e = Event(r); e["time_nano"] = (long)e["time_nano"]! + 2_000_000_000; }, ResultCodes.InvalidValue, "container_events[0].time_nano: "),
        ["unknown event source"] = new(r => Event(r)["source"] = "guess", ResultCodes.InvalidValue, "container_events[0].source: must be 'engine' or 'reconciled'"),
        ["event image with control char"] = new(r => Event(r)["image"] = "a\u0001", ResultCodes.InvalidValue, "container_events[0].image: must be 1-512 characters"),
        ["event exit code as string"] = new(r => Event(r)["exit_code"] = "3", ResultCodes.WrongType, "container_events[0].exit_code: expected an integer, got a string"),
        ["event signal over 255"] = new(r => Event(r)["kill_signal"] = 300, ResultCodes.InvalidValue, "container_events[0].kill_signal: must be at most 255"),
        ["event health unknown"] = new(r => Event(r)["health"] = "sick", ResultCodes.InvalidValue, "container_events[0].health: must be healthy, unhealthy or starting"),
        ["container id with space"] = new(r => First(r)["container_id"] = "a b", ResultCodes.InvalidValue, "container_stats[0].container_id: must be 1-128 letters or digits"),
        ["image too long"] = new(r => First(r)["image"] = new string('i', 513), ResultCodes.InvalidValue, "container_stats[0].image: must be 1-512 characters"),
        ["negative container rx"] = new(r => First(r)["con_net_rx_bytes"] = -1, ResultCodes.InvalidValue, "container_stats[0].con_net_rx_bytes: must not be negative"),
        ["container tx fractional"] = new(r => First(r)["con_net_tx_bytes"] = 0.5, ResultCodes.WrongType, "container_stats[0].con_net_tx_bytes: expected an integer, got 0.5"),
        ["negative block read"] = new(r => First(r)["con_block_read_bytes"] = -5, ResultCodes.InvalidValue, "container_stats[0].con_block_read_bytes: must not be negative"),
        ["block write as string"] = new(r => First(r)["con_block_write_bytes"] = "5", ResultCodes.WrongType, "container_stats[0].con_block_write_bytes: expected an integer, got a string"),
        ["negative pids"] = new(r => First(r)["con_pids"] = -1, ResultCodes.InvalidValue, "container_stats[0].con_pids: must not be negative"),
        ["negative memory limit"] = new(r => First(r)["con_memory_limit"] = -1, ResultCodes.InvalidValue, "container_stats[0].con_memory_limit: must not be negative"),
        ["cpu usage beyond 64 bits"] = new(r => First(r)["con_cpu_usage_ns"] = JsonNode.Parse("18446744073709551616"), ResultCodes.WrongType, "container_stats[0].con_cpu_usage_ns: expected an integer"),
        ["labels not an object"] = new(r => First(r)["labels"] = "a=b", ResultCodes.WrongType, "container_stats[0].labels: expected an object of strings"),
        ["label value not a string"] = new(r => First(r)["labels"] = new JsonObject { ["tier"] = 3 }, ResultCodes.WrongType, "container_stats[0].labels.tier: expected a string"),
        ["label key with a space"] = new(r => First(r)["labels"] = new JsonObject { ["a b"] = "c" }, ResultCodes.InvalidValue, "container_stats[0].labels: a key must be"),
        ["too many labels"] = new(r => First(r)["labels"] = new JsonObject(Enumerable.Range(0, 33).Select(i => KeyValuePair.Create<string, JsonNode?>($"k{i}", "v"))), ResultCodes.InvalidValue, "container_stats[0].labels: at most 32 labels"),
        ["health unknown"] = new(r => First(r)["health"] = "none", ResultCodes.InvalidValue, "container_stats[0].health: must be healthy, unhealthy or starting"),
        ["negative restart count"] = new(r => First(r)["restart_count"] = -1, ResultCodes.InvalidValue, "container_stats[0].restart_count: must not be negative"),
        ["exit code as string"] = new(r => First(r)["exit_code"] = "137", ResultCodes.WrongType, "container_stats[0].exit_code: expected an integer, got a string"),
        ["oom killed as number"] = new(r => First(r)["oom_killed"] = 1, ResultCodes.WrongType, "container_stats[0].oom_killed: expected a boolean, got a number"),
        ["started before 2000"] = new(r => First(r)["started_at"] = "0001-01-01 00:00:00", ResultCodes.InvalidTimestamp, "container_stats[0].started_at: 0001-01-01 00:00:00 is before"),
        ["finished ISO"] = new(r => First(r)["finished_at"] = "2024-08-30T12:59:41Z", ResultCodes.InvalidTimestamp, "container_stats[0].finished_at: expected UTC"),
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
        ["container of an engine the report does not list"] = new(r =>
        {
            r["engine_types"] = new JsonArray("docker", "docker");
            First(r)["engine_type"] = "podman";
        }, ResultCodes.InconsistentContainer, "container_stats[0].engine_type: 'podman' differs from the report's 'docker'"),
        ["engine list without the report's engine first"] = new(r => r["engine_types"] = new JsonArray("podman", "docker"), ResultCodes.InvalidValue,
            "engine_types: 1-8 engines, the report's engine_type 'docker' first"),
        ["malformed engine in the list"] = new(r => r["engine_types"] = new JsonArray("docker", "-lxc"), ResultCodes.InvalidValue, "engine_types: each 1-16 characters of [a-z0-9._-], got '-lxc'"),
        ["unread engine the report does not have"] = new(r => r["unread_engines"] = new JsonArray("podman"), ResultCodes.InvalidValue,
            "unread_engines: each of the report's engines at most once"),
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
