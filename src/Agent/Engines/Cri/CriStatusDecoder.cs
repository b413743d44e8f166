using System.Text.Json;

namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// <c>ContainerStatusResponse</c> decoded as <see cref="CriDecoder"/> decodes the lists: one attempt's state, times,
/// exit code and reason, and from the verbose info the main process's PID and its cgroup.
/// </summary>
internal static class CriStatusDecoder
{
    /// <summary>The status, with the PID and cgroup from the verbose info when asked for.</summary>
    public static CriStatus? Status(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoReader(message);
        CriStatus? status = null;
        var info = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: status = ContainerStatus(reader.Bytes()); break;
                case 2 when type == ProtoReader.WireBytes: reader.MapEntry(info); break;
                default: reader.Skip(type); break;
            }
        }

        if (status is null || !info.TryGetValue("info", out var json))
        {
            return status;
        }

        var (pid, cgroupsPath) = VerboseInfo(json);
        return new CriStatus(status.Id, status.State, status.CreatedAt, status.StartedAt, status.FinishedAt, status.ExitCode, status.Reason, status.Image)
        {
            Pid = pid,
            CgroupsPath = cgroupsPath,
        };
    }

    private static CriStatus ContainerStatus(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        string id = "", reason = "", image = "";
        var state = CriState.Unknown;
        long created = 0, started = 0, finished = 0;
        var exitCode = 0;
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: id = reader.String(); break;
                case 3 when type == ProtoReader.WireVarint: state = CriDecoder.ToState(reader.Int32()); break;
                case 4 when type == ProtoReader.WireVarint: created = reader.Int64(); break;
                case 5 when type == ProtoReader.WireVarint: started = reader.Int64(); break;
                case 6 when type == ProtoReader.WireVarint: finished = reader.Int64(); break;
                case 7 when type == ProtoReader.WireVarint: exitCode = reader.Int32(); break;
                case 8 when type == ProtoReader.WireBytes: image = CriDecoder.Image(reader.Bytes()); break;
                case 10 when type == ProtoReader.WireBytes: reason = reader.String(); break;
                default: reader.Skip(type); break;
            }
        }

        return new CriStatus(id, state, created, started, finished, exitCode, reason, image);
    }

    /// <summary>
    /// The verbose info's JSON (containerd and CRI-O both put one document under "info"): the main process's host PID
    /// and the OCI spec's <c>linux.cgroupsPath</c>. Anything unreadable is left out: the agent then finds neither.
    /// </summary>
    internal static (int Pid, string? CgroupsPath) VerboseInfo(string json)
    {
        // A forward scan with Utf8JsonReader, which the agent's serializer already brings: JsonDocument would add its own
        // code to the AOT binary for two values.
        var pid = 0;
        string? path = null;
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        var names = new string?[4]; // the property each open object was reached by, to depth 3: runtimeSpec.linux.cgroupsPath
        string? property = null;
        try
        {
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case JsonTokenType.StartObject when depth < names.Length:
                        names[depth] = property;
                        break;
                    case JsonTokenType.Number when depth == 1 && property == "pid" && reader.TryGetInt32(out var number):
                        pid = number;
                        break;
                    case JsonTokenType.String when depth == 3 && property == "cgroupsPath" && names[1] == "runtimeSpec" && names[2] == "linux":
                        path = reader.GetString();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return (0, null);
        }

        return (pid, string.IsNullOrEmpty(path) ? null : path);
    }
}
