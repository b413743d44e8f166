using System.Text.Json;
using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Ingest;

/// <summary>
/// Turns a parsed body into a <see cref="MonitorReport"/>, naming the exact field of any missing, null or
/// wrongly typed value. Hand-written over <see cref="JsonElement"/> rather than the source-generated
/// deserializer because the contract promises a message per field, and the deserializer reports missing,
/// null and wrong-type values in three different, unstable shapes. Unknown fields are ignored: the wire
/// only ever grows.
/// </summary>
internal static class ReportReader
{
    public static MonitorReport Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Reject(ResultCodes.WrongType, $"body: expected a JSON object, got {Describe(root.ValueKind)}");
        }

        return new MonitorReport
        {
            EngineType = String(root, "engine_type", ""),
            AgentId = String(root, "agent_id", ""),
            CpuCount = Integer(root, "ser_cpu_count", ""),
            CpuPercent = Number(root, "ser_cpu_percent", ""),
            MemoryTotalMiB = Number(root, "ser_memory_total", ""),
            MemoryUsedMiB = Number(root, "ser_memory_used", ""),
            MemoryPercent = Number(root, "ser_memory_percent", ""),
            SampledAt = Timestamp(root, "ser_get_datetime", ""),
            Containers = ReadContainers(root),
            Load1 = OptionalNumber(root, "ser_load_1", ""),
            Load5 = OptionalNumber(root, "ser_load_5", ""),
            Load15 = OptionalNumber(root, "ser_load_15", ""),
            UptimeSeconds = OptionalLong(root, "ser_uptime_seconds", ""),
            SwapTotalMiB = OptionalNumber(root, "ser_swap_total", ""),
            SwapUsedMiB = OptionalNumber(root, "ser_swap_used", ""),
            NetRxBytes = OptionalLong(root, "ser_net_rx_bytes", ""),
            NetTxBytes = OptionalLong(root, "ser_net_tx_bytes", ""),
            FileSystems = OptionalArray(root, "ser_filesystems", ReadFileSystem),
            Events = OptionalArray(root, "container_events", ReadEvent),
            EngineTypes = OptionalWords(root, "engine_types"),
            UnreadEngines = OptionalWords(root, "unread_engines"),
        };
    }

    // A short list of words (engine types): at most 8 are kept apart from a flood; the validator names the rest.
    private static List<string>? OptionalWords(JsonElement root, string name)
    {
        if (IsAbsent(root, name))
        {
            return null;
        }

        var array = root.GetProperty(name);
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

    private static List<T>? OptionalArray<T>(JsonElement root, string name, Func<JsonElement, string, T> read)
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Reject(ResultCodes.WrongType, $"{name}: expected an array, got {Describe(array.ValueKind)}");
        }

        var list = new List<T>(array.GetArrayLength());
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var prefix = $"{name}[{index++}].";
            list.Add(element.ValueKind == JsonValueKind.Object
                ? read(element, prefix)
                : throw Reject(ResultCodes.WrongType, $"{prefix.TrimEnd('.')}: expected an object, got {Describe(element.ValueKind)}"));
        }

        return list;
    }

    private static FileSystemStat ReadFileSystem(JsonElement element, string prefix) => new()
    {
        MountPoint = String(element, "mount_point", prefix),
        FsType = String(element, "fs_type", prefix),
        TotalBytes = Long(element, "total_bytes", prefix),
        UsedBytes = Long(element, "used_bytes", prefix),
    };

    private static ContainerEvent ReadEvent(JsonElement element, string prefix) => new()
    {
        ContainerId = String(element, "container_id", prefix),
        ContainerName = String(element, "container_name", prefix),
        NodeName = String(element, "node_name", prefix),
        Action = String(element, "action", prefix),
        OccurredAt = Timestamp(element, "event_datetime", prefix),
        TimeNano = Long(element, "time_nano", prefix),
        Source = String(element, "source", prefix),
        Image = OptionalString(element, "image", prefix),
        ExitCode = OptionalInteger(element, "exit_code", prefix),
        Signal = OptionalInteger(element, "kill_signal", prefix),
        Health = OptionalString(element, "health", prefix),
    };

    private static List<ContainerStat> ReadContainers(JsonElement root)
    {
        var containers = Field(root, "container_stats", "");
        if (containers.ValueKind != JsonValueKind.Array)
        {
            throw Reject(ResultCodes.WrongType, $"container_stats: expected an array, got {Describe(containers.ValueKind)}");
        }

        var list = new List<ContainerStat>(containers.GetArrayLength());
        var index = 0;
        foreach (var element in containers.EnumerateArray())
        {
            list.Add(ReadContainer(element, $"container_stats[{index++}]."));
        }

        return list;
    }

    private static ContainerStat ReadContainer(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Reject(ResultCodes.WrongType, $"{prefix.TrimEnd('.')}: expected an object, got {Describe(element.ValueKind)}");
        }

        return new ContainerStat
        {
            EngineType = String(element, "engine_type", prefix),
            AgentId = String(element, "agent_id", prefix),
            NodeName = String(element, "node_name", prefix),
            ContainerName = String(element, "container_name", prefix),
            Status = String(element, "status", prefix),
            SampledAt = Timestamp(element, "con_get_datetime", prefix),
            CpuPercent = Number(element, "con_cpu_percent", prefix),
            MemoryUsageMiB = Number(element, "con_memory_usage", prefix),
            MemoryPercent = Number(element, "con_memory_percent", prefix),
            ContainerId = OptionalString(element, "container_id", prefix),
            Image = OptionalString(element, "image", prefix),
            NetRxBytes = OptionalLong(element, "con_net_rx_bytes", prefix),
            NetTxBytes = OptionalLong(element, "con_net_tx_bytes", prefix),
            BlockReadBytes = OptionalLong(element, "con_block_read_bytes", prefix),
            BlockWriteBytes = OptionalLong(element, "con_block_write_bytes", prefix),
            Pids = OptionalLong(element, "con_pids", prefix),
            MemoryLimitBytes = OptionalLong(element, "con_memory_limit", prefix),
            CpuUsageNanos = OptionalLong(element, "con_cpu_usage_ns", prefix),
            Health = OptionalString(element, "health", prefix),
            RestartCount = OptionalInteger(element, "restart_count", prefix),
            ExitCode = OptionalInteger(element, "exit_code", prefix),
            OomKilled = OptionalBoolean(element, "oom_killed", prefix),
            StartedAt = OptionalTimestamp(element, "started_at", prefix),
            FinishedAt = OptionalTimestamp(element, "finished_at", prefix),
            Labels = OptionalLabels(element, "labels", prefix),
        };
    }

    // Optional fields (added by StackScope): missing and null both mean "not measured"; a present value must be well-typed.
    private static bool IsAbsent(JsonElement owner, string name) =>
        !owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;

    private static string? OptionalString(JsonElement owner, string name, string prefix) => IsAbsent(owner, name) ? null : String(owner, name, prefix);

    private static double? OptionalNumber(JsonElement owner, string name, string prefix) => IsAbsent(owner, name) ? null : Number(owner, name, prefix);

    private static long? OptionalLong(JsonElement owner, string name, string prefix) => IsAbsent(owner, name) ? null : Long(owner, name, prefix);

    private static int? OptionalInteger(JsonElement owner, string name, string prefix) => IsAbsent(owner, name) ? null : Integer(owner, name, prefix);

    private static DateTime? OptionalTimestamp(JsonElement owner, string name, string prefix) => IsAbsent(owner, name) ? null : Timestamp(owner, name, prefix);

    private static Dictionary<string, string>? OptionalLabels(JsonElement owner, string name, string prefix)
    {
        if (IsAbsent(owner, name))
        {
            return null;
        }

        var value = owner.GetProperty(name);
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected an object of strings, got {Describe(value.ValueKind)}");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            labels[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? Text(property.Value, $"{prefix}{name}")
                : throw Reject(ResultCodes.WrongType, $"{prefix}{name}.{Truncate(property.Name)}: expected a string, got {Describe(property.Value.ValueKind)}");
        }

        return labels;
    }

    private static bool? OptionalBoolean(JsonElement owner, string name, string prefix)
    {
        if (IsAbsent(owner, name))
        {
            return null;
        }

        var value = owner.GetProperty(name);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected a boolean, got {Describe(value.ValueKind)}");
    }

    private static long Long(JsonElement owner, string name, string prefix)
    {
        var value = Field(owner, name, prefix);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected an integer, got {Describe(value.ValueKind)}");
        }

        return value.TryGetInt64(out var integer)
            ? integer
            : throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected an integer, got {Truncate(value.GetRawText())}");
    }

    private static JsonElement Field(JsonElement owner, string name, string prefix)
    {
        if (!owner.TryGetProperty(name, out var value))
        {
            throw Reject(ResultCodes.MissingField, $"{prefix}{name}: required field is missing");
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            throw Reject(ResultCodes.MissingField, $"{prefix}{name}: required field is null");
        }

        return value;
    }

    private static string String(JsonElement owner, string name, string prefix)
    {
        var value = Field(owner, name, prefix);
        return value.ValueKind == JsonValueKind.String
            ? Text(value, prefix + name)
            : throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected a string, got {Describe(value.ValueKind)}");
    }

    private static string Text(JsonElement value, string field)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // JsonDocument checks UTF-8 inside strings only when they are read.
            throw Reject(ResultCodes.MalformedJson, $"body: malformed JSON (invalid UTF-8 in {field})");
        }
    }

    private static double Number(JsonElement owner, string name, string prefix)
    {
        var value = Field(owner, name, prefix);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected a number, got {Describe(value.ValueKind)}");
        }

        // Integers are numbers too: the original sends an exited container's zeros as 0, not 0.0.
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw Reject(ResultCodes.InvalidValue, $"{prefix}{name}: {value.GetRawText()} is not a finite number");
        }

        return number;
    }

    private static int Integer(JsonElement owner, string name, string prefix)
    {
        var value = Long(owner, name, prefix);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected an integer, got {value}");
    }

    private static DateTime Timestamp(JsonElement owner, string name, string prefix)
    {
        var value = Field(owner, name, prefix);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected a string '{WireTimestamp.Format}', got {Describe(value.ValueKind)}");
        }

        var text = Text(value, prefix + name);
        return WireTimestamp.TryParse(text, out var utc)
            ? utc
            : throw Reject(ResultCodes.InvalidTimestamp, $"{prefix}{name}: expected UTC '{WireTimestamp.Format}', got '{Truncate(text)}'");
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
