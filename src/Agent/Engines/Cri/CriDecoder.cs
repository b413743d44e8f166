namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// The CRI answers the agent reads, decoded from protobuf with <see cref="ProtoReader"/>: only the fields it uses (field
/// numbers as in kubernetes/cri-api's <c>pkg/apis/runtime/v1/api.proto</c>), every other field skipped.
/// </summary>
internal static class CriDecoder
{
    /// <summary><c>ListPodSandboxResponse</c>.</summary>
    public static List<CriSandbox> Sandboxes(ReadOnlySpan<byte> message) => Repeated(message, static bytes => Sandbox(bytes));

    /// <summary><c>ListContainersResponse</c>.</summary>
    public static List<CriContainer> Containers(ReadOnlySpan<byte> message) => Repeated(message, static bytes => Container(bytes));

    /// <summary>
    /// A <c>ListContainersResponse</c> reduced to a 64-bit FNV-1a hash of each container's id and state, in order: whether
    /// anything changed since the last poll, read without a string or a dictionary (the event poll runs every second).
    /// </summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> message)
    {
        const ulong prime = 1099511628211;
        var hash = 14695981039346656037;
        var reader = new ProtoReader(message);
        while (reader.Next(out var field, out var type))
        {
            if (field != 1 || type != ProtoReader.WireBytes)
            {
                reader.Skip(type);
                continue;
            }

            var container = new ProtoReader(reader.Bytes());
            while (container.Next(out var inner, out var innerType))
            {
                if (inner == 1 && innerType == ProtoReader.WireBytes)
                {
                    foreach (var b in container.Bytes())
                    {
                        hash = (hash ^ b) * prime;
                    }
                }
                else if (inner == 6 && innerType == ProtoReader.WireVarint)
                {
                    hash = (hash ^ (container.Varint() + 0x100)) * prime;
                }
                else
                {
                    container.Skip(innerType);
                }
            }

            hash = (hash ^ 0x1FF) * prime; // the end of one container
        }

        return hash;
    }

    /// <summary><c>ListContainerStatsResponse</c>.</summary>
    public static List<CriStats> Stats(ReadOnlySpan<byte> message) => Repeated(message, static bytes => Stat(bytes));

    private delegate T Decode<out T>(ReadOnlySpan<byte> bytes);

    private static List<T> Repeated<T>(ReadOnlySpan<byte> message, Decode<T> decode)
    {
        var reader = new ProtoReader(message);
        var items = new List<T>();
        while (reader.Next(out var field, out var type))
        {
            if (field == 1 && type == ProtoReader.WireBytes)
            {
                items.Add(decode(reader.Bytes()));
            }
            else
            {
                reader.Skip(type);
            }
        }

        return items;
    }

    private static CriSandbox Sandbox(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        string id = "", name = "", ns = "", uid = "";
        var ready = true;
        long created = 0;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: id = reader.String(); break;
                case 2 when type == ProtoReader.WireBytes: (name, uid, ns) = SandboxMetadata(reader.Bytes()); break;
                case 3 when type == ProtoReader.WireVarint: ready = reader.Int32() == 0; break; // SANDBOX_READY = 0
                case 4 when type == ProtoReader.WireVarint: created = reader.Int64(); break;
                case 5 when type == ProtoReader.WireBytes: reader.MapEntry(labels); break;
                default: reader.Skip(type); break;
            }
        }

        return new CriSandbox(id, name, ns, uid, ready, created, labels);
    }

    private static (string Name, string Uid, string Namespace) SandboxMetadata(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        string name = "", uid = "", ns = "";
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: name = reader.String(); break;
                case 2 when type == ProtoReader.WireBytes: uid = reader.String(); break;
                case 3 when type == ProtoReader.WireBytes: ns = reader.String(); break;
                default: reader.Skip(type); break;
            }
        }

        return (name, uid, ns);
    }

    private static CriContainer Container(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        string id = "", sandbox = "", name = "", image = "";
        uint attempt = 0;
        var state = CriState.Created;
        long created = 0;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: id = reader.String(); break;
                case 2 when type == ProtoReader.WireBytes: sandbox = reader.String(); break;
                case 3 when type == ProtoReader.WireBytes: (name, attempt) = ContainerMetadata(reader.Bytes()); break;
                case 4 when type == ProtoReader.WireBytes: image = Image(reader.Bytes()); break;
                case 6 when type == ProtoReader.WireVarint: state = ToState(reader.Int32()); break;
                case 7 when type == ProtoReader.WireVarint: created = reader.Int64(); break;
                case 8 when type == ProtoReader.WireBytes: reader.MapEntry(labels); break;
                default: reader.Skip(type); break;
            }
        }

        return new CriContainer(id, sandbox, name, attempt, image, state, created, labels); // annotations (9) are kubelet's bookkeeping: skipped
    }

    private static (string Name, uint Attempt) ContainerMetadata(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        var name = "";
        uint attempt = 0;
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: name = reader.String(); break;
                case 2 when type == ProtoReader.WireVarint: attempt = (uint)reader.Varint(); break;
                default: reader.Skip(type); break;
            }
        }

        return (name, attempt);
    }

    // kubelet passes the resolved reference (often "sha256:...") as image and what the pod spec says as
    // user_specified_image (cri-api 1.29 on): the latter is what the operator knows the container by.
    internal static string Image(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        string image = "", specified = "";
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: image = reader.String(); break;
                case 18 when type == ProtoReader.WireBytes: specified = reader.String(); break;
                default: reader.Skip(type); break;
            }
        }

        return specified.Length > 0 ? specified : image;
    }

    private static CriStats Stat(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        var id = "";
        ulong? cpu = null, workingSet = null, available = null;
        while (reader.Next(out var field, out var type))
        {
            switch (field)
            {
                case 1 when type == ProtoReader.WireBytes: id = AttributesId(reader.Bytes()); break;
                case 2 when type == ProtoReader.WireBytes: cpu = Usage(reader.Bytes(), 2).First; break;
                case 3 when type == ProtoReader.WireBytes: (workingSet, available) = Usage(reader.Bytes(), 2, 3); break;
                default: reader.Skip(type); break;
            }
        }

        return new CriStats(id, cpu, workingSet, available);
    }

    private static string AttributesId(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        var id = "";
        while (reader.Next(out var field, out var type))
        {
            if (field == 1 && type == ProtoReader.WireBytes)
            {
                id = reader.String();
            }
            else
            {
                reader.Skip(type);
            }
        }

        return id;
    }

    // CpuUsage / MemoryUsage: their UInt64Value fields by number (null when the runtime left one out).
    private static (ulong? First, ulong? Second) Usage(ReadOnlySpan<byte> bytes, int first, int second = 0)
    {
        var reader = new ProtoReader(bytes);
        ulong? a = null, b = null;
        while (reader.Next(out var field, out var type))
        {
            if (type == ProtoReader.WireBytes && field == first)
            {
                a = reader.WrappedUInt64();
            }
            else if (type == ProtoReader.WireBytes && field == second)
            {
                b = reader.WrappedUInt64();
            }
            else
            {
                reader.Skip(type);
            }
        }

        return (a, b);
    }

    internal static CriState ToState(int value) => value is >= 0 and <= 3 ? (CriState)value : CriState.Unknown;
}
