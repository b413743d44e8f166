namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// Where a pod container's cgroup lies, relative to each controller's root, without knowing the pod's UID, its QoS
/// class or the node's cgroup driver: from the OCI spec the runtime wrote (<c>linux.cgroupsPath</c>), else from the
/// container process's <c>/proc/&lt;pid&gt;/cgroup</c>.
/// </summary>
internal static class CriCgroupPath
{
    /// <summary>
    /// The spec's <c>cgroupsPath</c>: a path as it is with the cgroupfs driver ("/kubepods/besteffort/pod&lt;uid&gt;/&lt;id&gt;"),
    /// or the systemd driver's "slice:prefix:name" (<c>kubepods-besteffort-pod&lt;uid&gt;.slice:cri-containerd:&lt;id&gt;</c>),
    /// which systemd lays out as every dash-separated parent slice in turn, then the scope <c>prefix-name.scope</c>.
    /// </summary>
    public static string? FromSpec(string? cgroupsPath)
    {
        if (string.IsNullOrEmpty(cgroupsPath))
        {
            return null;
        }

        var parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
        {
            return cgroupsPath.StartsWith('/') && !cgroupsPath.Contains("/..", StringComparison.Ordinal) ? cgroupsPath : null;
        }

        var (slice, prefix, name) = (parts[0], parts[1], parts[2]);
        var scope = prefix.Length > 0 ? $"{prefix}-{name}.scope" : name;
        return slice.Length == 0 ? "/system.slice/" + scope : ExpandSlice(slice) + "/" + scope;
    }

    /// <summary>
    /// systemd's rule (sd_bus / runc's ExpandSlice): "a-b-c.slice" lies in "a.slice/a-b.slice/a-b-c.slice"; "-.slice"
    /// is the root.
    /// </summary>
    internal static string ExpandSlice(string slice)
    {
        if (!slice.EndsWith(".slice", StringComparison.Ordinal) || slice == "-.slice")
        {
            return "";
        }

        var stem = slice[..^".slice".Length];
        var path = new System.Text.StringBuilder();
        var prefix = "";
        foreach (var component in stem.Split('-'))
        {
            prefix = prefix.Length == 0 ? component : prefix + "-" + component;
            path.Append('/').Append(prefix).Append(".slice");
        }

        return path.ToString();
    }

    /// <summary>
    /// The path in a process's <c>/proc/&lt;pid&gt;/cgroup</c> text: the unified line ("0::/path") on a cgroup v2 host,
    /// else the memory controller's ("4:memory:/path"). Null when none is there, or when it climbs out of the reader's
    /// cgroup namespace ("/../.."): such a path is relative to a root the agent cannot see.
    /// </summary>
    public static string? FromProc(ReadOnlySpan<char> text, bool unified)
    {
        foreach (var line in text.EnumerateLines())
        {
            var first = line.IndexOf(':');
            var second = first < 0 ? -1 : line[(first + 1)..].IndexOf(':');
            if (second < 0)
            {
                continue;
            }

            var controllers = line.Slice(first + 1, second);
            var path = line[(first + second + 2)..];
            var wanted = unified ? controllers.IsEmpty : ContainsController(controllers, "memory");
            if (wanted && path.StartsWith("/") && !path.Contains("/..", StringComparison.Ordinal))
            {
                return path.ToString();
            }
        }

        return null;
    }

    private static bool ContainsController(ReadOnlySpan<char> controllers, string name)
    {
        foreach (var range in controllers.Split(','))
        {
            if (controllers[range].SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }
}
