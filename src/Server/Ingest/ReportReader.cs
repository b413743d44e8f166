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
        };
    }

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
        };
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
        var value = Field(owner, name, prefix);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected an integer, got {Describe(value.ValueKind)}");
        }

        return value.TryGetInt32(out var integer)
            ? integer
            : throw Reject(ResultCodes.WrongType, $"{prefix}{name}: expected an integer, got {Truncate(value.GetRawText())}");
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
