using System.Runtime.InteropServices;
using System.Text.Json;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Ingest;

/// <summary>
/// Turns a parsed body into a <see cref="MonitorReport"/>, naming the exact field of any missing, null or
/// wrongly typed value. Hand-written over <see cref="JsonElement"/> rather than the source-generated
/// deserializer because the contract promises a message per field, and the deserializer reports missing,
/// null and wrong-type values in three different, unstable shapes. Unknown fields are ignored: the wire
/// only ever grows. Each object's fields are found in one walk over it (<see cref="ObjectFields"/>).
/// </summary>
internal static class ReportReader
{
    // The contract types' own field lists: a field added to one is known here with no second list to keep.
    private static readonly ObjectFields ReportFields = ObjectFields.Of(ContractsJsonContext.Default.MonitorReport);
    private static readonly ObjectFields ContainerFields = ObjectFields.Of(ContractsJsonContext.Default.ContainerStat);
    private static readonly ObjectFields FileSystemFields = ObjectFields.Of(ContractsJsonContext.Default.FileSystemStat);
    private static readonly ObjectFields EventFields = ObjectFields.Of(ContractsJsonContext.Default.ContainerEvent);

    public static MonitorReport Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Reject(ResultCodes.WrongType, $"body: expected a JSON object, got {Describe(root.ValueKind)}");
        }

        var at = FieldPath.Top;
        using var f = ReportFields.Walk(root);
        var engineType = String(f, "engine_type", at);
        var agentId = String(f, "agent_id", at);
        return new MonitorReport
        {
            EngineType = engineType,
            AgentId = agentId,
            CpuCount = Integer(f, "ser_cpu_count", at),
            CpuPercent = Number(f, "ser_cpu_percent", at),
            MemoryTotalMiB = Number(f, "ser_memory_total", at),
            MemoryUsedMiB = Number(f, "ser_memory_used", at),
            MemoryPercent = Number(f, "ser_memory_percent", at),
            SampledAt = Timestamp(f, "ser_get_datetime", at),
            Containers = ReadContainers(f, engineType, agentId),
            Load1 = OptionalNumber(f, "ser_load_1", at),
            Load5 = OptionalNumber(f, "ser_load_5", at),
            Load15 = OptionalNumber(f, "ser_load_15", at),
            UptimeSeconds = OptionalLong(f, "ser_uptime_seconds", at),
            SwapTotalMiB = OptionalNumber(f, "ser_swap_total", at),
            SwapUsedMiB = OptionalNumber(f, "ser_swap_used", at),
            NetRxBytes = OptionalLong(f, "ser_net_rx_bytes", at),
            NetTxBytes = OptionalLong(f, "ser_net_tx_bytes", at),
            FileSystems = OptionalArray(f, "ser_filesystems", FileSystemFields, ReadFileSystem),
            Events = OptionalArray(f, "container_events", EventFields, ReadEvent),
            EngineTypes = OptionalWords(f, "engine_types"),
            UnreadEngines = OptionalWords(f, "unread_engines"),
        };
    }

    // A short list of words (engine types): at most 8 are kept apart from a flood; the validator names the rest.
    private static List<string>? OptionalWords(ObjectFields.Found f, string name)
    {
        var array = f[name];
        if (IsAbsent(array))
        {
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() > 64)
        {
            throw Reject(ResultCodes.WrongType, $"{name}: expected an array of at most 64 strings, got {Describe(array.ValueKind)}");
        }

        var words = new List<string>(array.GetArrayLength());
        foreach (var element in array.EnumerateArray())
        {
            words.Add(element.ValueKind == JsonValueKind.String
                ? element.GetString()!
                : throw Reject(ResultCodes.WrongType, $"{name}[{words.Count}]: expected a string, got {Describe(element.ValueKind)}"));
        }

        return words;
    }

    private static List<T>? OptionalArray<T>(ObjectFields.Found f, string name, ObjectFields fields, Func<ObjectFields.Found, FieldPath, T> read)
    {
        var array = f[name];
        if (IsAbsent(array))
        {
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Reject(ResultCodes.WrongType, $"{name}: expected an array, got {Describe(array.ValueKind)}");
        }

        var list = new List<T>(array.GetArrayLength());
        foreach (var element in array.EnumerateArray())
        {
            var at = new FieldPath(name, list.Count);
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Reject(ResultCodes.WrongType, $"{at.Element}: expected an object, got {Describe(element.ValueKind)}");
            }

            using var found = fields.Walk(element);
            list.Add(read(found, at));
        }

        return list;
    }

    private static FileSystemStat ReadFileSystem(ObjectFields.Found f, FieldPath at) => new()
    {
        MountPoint = String(f, "mount_point", at),
        FsType = String(f, "fs_type", at),
        TotalBytes = Long(f, "total_bytes", at),
        UsedBytes = Long(f, "used_bytes", at),
    };

    private static ContainerEvent ReadEvent(ObjectFields.Found f, FieldPath at) => new()
    {
        ContainerId = String(f, "container_id", at),
        ContainerName = String(f, "container_name", at),
        NodeName = String(f, "node_name", at),
        Action = String(f, "action", at),
        OccurredAt = Timestamp(f, "event_datetime", at),
        TimeNano = Long(f, "time_nano", at),
        Source = String(f, "source", at),
        Image = OptionalString(f, "image", at),
        ExitCode = OptionalInteger(f, "exit_code", at),
        Signal = OptionalInteger(f, "kill_signal", at),
        Health = OptionalString(f, "health", at),
    };

    private static List<ContainerStat> ReadContainers(ObjectFields.Found report, string engineType, string agentId)
    {
        var containers = Field(report, "container_stats", FieldPath.Top);
        if (containers.ValueKind != JsonValueKind.Array)
        {
            throw Reject(ResultCodes.WrongType, $"container_stats: expected an array, got {Describe(containers.ValueKind)}");
        }

        var list = new List<ContainerStat>(containers.GetArrayLength());
        ContainerStat? previous = null;
        foreach (var element in containers.EnumerateArray())
        {
            previous = ReadContainer(element, new FieldPath("container_stats", list.Count), engineType, agentId, previous);
            list.Add(previous);
        }

        return list;
    }

    // Every container repeats the report's engine and agent, and nearly always the node and state of the one before: the
    // strings already read are kept for them instead of a copy per container (a fifth of ingest's allocations were strings).
    private static ContainerStat ReadContainer(JsonElement element, FieldPath at, string engineType, string agentId, ContainerStat? previous)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Reject(ResultCodes.WrongType, $"{at.Element}: expected an object, got {Describe(element.ValueKind)}");
        }

        using var f = ContainerFields.Walk(element);
        return new ContainerStat
        {
            EngineType = String(f, "engine_type", at, engineType),
            AgentId = String(f, "agent_id", at, agentId),
            NodeName = String(f, "node_name", at, previous?.NodeName ?? agentId),
            ContainerName = String(f, "container_name", at),
            Status = String(f, "status", at, previous?.Status ?? "running"),
            SampledAt = Timestamp(f, "con_get_datetime", at),
            CpuPercent = Number(f, "con_cpu_percent", at),
            MemoryUsageMiB = Number(f, "con_memory_usage", at),
            MemoryPercent = Number(f, "con_memory_percent", at),
            ContainerId = OptionalString(f, "container_id", at),
            Image = OptionalString(f, "image", at),
            NetRxBytes = OptionalLong(f, "con_net_rx_bytes", at),
            NetTxBytes = OptionalLong(f, "con_net_tx_bytes", at),
            BlockReadBytes = OptionalLong(f, "con_block_read_bytes", at),
            BlockWriteBytes = OptionalLong(f, "con_block_write_bytes", at),
            Pids = OptionalLong(f, "con_pids", at),
            MemoryLimitBytes = OptionalLong(f, "con_memory_limit", at),
            CpuUsageNanos = OptionalLong(f, "con_cpu_usage_ns", at),
            Health = OptionalString(f, "health", at),
            RestartCount = OptionalInteger(f, "restart_count", at),
            ExitCode = OptionalInteger(f, "exit_code", at),
            OomKilled = OptionalBoolean(f, "oom_killed", at),
            StartedAt = OptionalTimestamp(f, "started_at", at),
            FinishedAt = OptionalTimestamp(f, "finished_at", at),
            Labels = OptionalLabels(f, "labels", at),
        };
    }

    // Optional fields (added by StackScope): missing and null both mean "not measured"; a present value must be well-typed.
    private static bool IsAbsent(JsonElement value) => value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;

    private static string? OptionalString(ObjectFields.Found f, string name, FieldPath at) => IsAbsent(f[name]) ? null : String(f, name, at);

    private static double? OptionalNumber(ObjectFields.Found f, string name, FieldPath at) => IsAbsent(f[name]) ? null : Number(f, name, at);

    private static long? OptionalLong(ObjectFields.Found f, string name, FieldPath at) => IsAbsent(f[name]) ? null : Long(f, name, at);

    private static int? OptionalInteger(ObjectFields.Found f, string name, FieldPath at) => IsAbsent(f[name]) ? null : Integer(f, name, at);

    private static DateTime? OptionalTimestamp(ObjectFields.Found f, string name, FieldPath at) => IsAbsent(f[name]) ? null : Timestamp(f, name, at);

    private static Dictionary<string, string>? OptionalLabels(ObjectFields.Found f, string name, FieldPath at)
    {
        var value = f[name];
        if (IsAbsent(value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Reject(ResultCodes.WrongType, $"{at}{name}: expected an object of strings, got {Describe(value.ValueKind)}");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            labels[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? Text(property.Value, at, name)
                : throw Reject(ResultCodes.WrongType, $"{at}{name}.{Truncate(property.Name)}: expected a string, got {Describe(property.Value.ValueKind)}");
        }

        return labels;
    }

    private static bool? OptionalBoolean(ObjectFields.Found f, string name, FieldPath at)
    {
        var value = f[name];
        if (IsAbsent(value))
        {
            return null;
        }

        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw Reject(ResultCodes.WrongType, $"{at}{name}: expected a boolean, got {Describe(value.ValueKind)}");
    }

    private static long Long(ObjectFields.Found f, string name, FieldPath at)
    {
        var value = Field(f, name, at);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Reject(ResultCodes.WrongType, $"{at}{name}: expected an integer, got {Describe(value.ValueKind)}");
        }

        return value.TryGetInt64(out var integer)
            ? integer
            : throw Reject(ResultCodes.WrongType, $"{at}{name}: expected an integer, got {Truncate(value.GetRawText())}");
    }

    private static JsonElement Field(ObjectFields.Found f, string name, FieldPath at)
    {
        var value = f[name];
        return value.ValueKind switch
        {
            JsonValueKind.Undefined => throw Reject(ResultCodes.MissingField, $"{at}{name}: required field is missing"),
            JsonValueKind.Null => throw Reject(ResultCodes.MissingField, $"{at}{name}: required field is null"),
            _ => value,
        };
    }

    /// <summary>A required string; <paramref name="likely"/> itself when the value is the same text.</summary>
    private static string String(ObjectFields.Found f, string name, FieldPath at, string? likely = null)
    {
        var value = Field(f, name, at);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Reject(ResultCodes.WrongType, $"{at}{name}: expected a string, got {Describe(value.ValueKind)}");
        }

        return likely is not null && value.ValueEquals(likely) ? likely : Text(value, at, name);
    }

    private static string Text(JsonElement value, FieldPath at, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // JsonDocument checks UTF-8 inside strings only when they are read.
            throw Reject(ResultCodes.MalformedJson, $"body: malformed JSON (invalid UTF-8 in {at}{name})");
        }
    }

    private static double Number(ObjectFields.Found f, string name, FieldPath at)
    {
        var value = Field(f, name, at);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Reject(ResultCodes.WrongType, $"{at}{name}: expected a number, got {Describe(value.ValueKind)}");
        }

        // Integers are numbers too: the original sends an exited container's zeros as 0, not 0.0.
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw Reject(ResultCodes.InvalidValue, $"{at}{name}: {value.GetRawText()} is not a finite number");
        }

        return number;
    }

    private static int Integer(ObjectFields.Found f, string name, FieldPath at)
    {
        var value = Long(f, name, at);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Reject(ResultCodes.WrongType, $"{at}{name}: expected an integer, got {value}");
    }

    private static DateTime Timestamp(ObjectFields.Found f, string name, FieldPath at)
    {
        var value = Field(f, name, at);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Reject(ResultCodes.WrongType, $"{at}{name}: expected a string '{WireTimestamp.Format}', got {Describe(value.ValueKind)}");
        }

        // The raw value is the string in its quotes; a well-formed timestamp has no escapes, so it is read as it stands.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (WireTimestamp.TryParse(raw[1..^1], out var fast))
        {
            return fast;
        }

        var text = Text(value, at, name);
        return WireTimestamp.TryParse(text, out var utc)
            ? utc
            : throw Reject(ResultCodes.InvalidTimestamp, $"{at}{name}: expected UTC '{WireTimestamp.Format}', got '{Truncate(text)}'");
    }

    internal static string Truncate(string? text) =>
        text is null ? "" : text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static ApiProblemException Reject(string code, string message) =>
        new(StatusCodes.Status400BadRequest, code, message);
}
