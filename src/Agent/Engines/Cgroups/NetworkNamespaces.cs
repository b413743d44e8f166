namespace StackScope.Agent.Engines.Cgroups;

/// <summary>
/// Whether a container's process shares the host's network namespace (<c>docker run --network host</c>, a pod on the
/// host network): its /proc/&lt;pid&gt;/net/dev then lists the host's own interfaces, which are not the container's
/// traffic, and <c>docker stats</c> shows no figures for it (0B / 0B). Namespaces are compared by their links'
/// targets (<c>net:[inode]</c>) against the host's, read once: PID 1's (the host's init); where that one may not be
/// read (an init that is not dumpable, an agent without CAP_SYS_PTRACE: seen on a firecracker VM) and the agent sees
/// the host's own /proc, the agent's, which runs on the host. Where neither can be known, or a container's link cannot
/// be read, the counters are kept as read.
/// </summary>
internal sealed class NetworkNamespaces(string procRoot)
{
    private string? _host;
    private bool _hostRead;

    public bool SharesHosts(int pid)
    {
        if (!_hostRead)
        {
            _host = LinkOf(procRoot, "1") ?? (procRoot == "/proc" ? LinkOf(procRoot, "self") : null);
            _hostRead = true;
        }

        return _host is not null && pid > 1 && LinkOf(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)) == _host;
    }

    private static string? LinkOf(string proc, string process)
    {
        try
        {
            return new FileInfo(Path.Combine(proc, process, "ns", "net")).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
