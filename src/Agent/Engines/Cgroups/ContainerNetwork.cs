using System.Collections.Concurrent;
using System.Globalization;
using StackScope.Agent.Host;

namespace StackScope.Agent.Engines.Cgroups;

/// <summary>
/// A container's network counters as Docker reads its sandbox's interfaces: /proc/&lt;pid&gt;/net/dev of one of its
/// processes (its network namespace), loopback left out; none for a container on the host's network.
/// </summary>
internal sealed class ContainerNetwork(string procRoot)
{
    private readonly NetworkNamespaces _namespaces = new(procRoot);

    // Each process's file path, made once while its container runs.
    private readonly ConcurrentDictionary<(string Id, int Pid), string> _netDev = new();

    /// <summary>Forgets the paths of containers that no longer run.</summary>
    public void Forget(Func<string, bool> gone)
    {
        foreach (var process in _netDev.Keys.Where(k => gone(k.Id)).ToList())
        {
            _netDev.TryRemove(process, out _);
        }
    }

    /// <summary>
    /// <paramref name="io"/> with the container's network counters, from the namespace of the engine's PID, else of
    /// the first process <paramref name="procsFile"/> lists; as read when neither is visible (the container exited
    /// meanwhile) or the container is on the host's network.
    /// </summary>
    public IoCounters With(IoCounters io, string id, int pid, string procsFile)
    {
        // The engine's PID first: the cgroup's process list is read only when that one is not visible.
        var source = pid;
        var counters = NetworkOf(pid > 0 ? NetDevOf(id, pid) : null);
        if (counters is null && FirstProcess(procsFile) is { } first)
        {
            source = first;
            counters = NetworkOf(NetDevOf(id, first));
        }

        // On the host's network the file holds the host's counters: no figures, as docker stats shows none.
        return counters is var (rx, tx) && !_namespaces.SharesHosts(source) ? io with { NetRxBytes = rx, NetTxBytes = tx } : io;
    }

    private string NetDevOf(string id, int pid) => _netDev.GetOrAdd((id, pid),
        static (process, procRoot) => Path.Combine(procRoot, process.Pid.ToString(CultureInfo.InvariantCulture), "net", "dev"), procRoot);

    private static (long Rx, long Tx)? NetworkOf(string? netDev)
    {
        try
        {
            // Opened for each read, unlike the cgroup files: the PID changes with a restart, and a file of an exited
            // process's namespace is not one to keep reading.
            return netDev is null ? null : NetDevParser.Parse(KernelFile.ReadChars(netDev));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null; // gone, or another PID namespace's number
        }
    }

    private static int? FirstProcess(string procsFile)
    {
        try
        {
            var procs = KernelFile.ReadChars(procsFile);
            var end = procs.IndexOf('\n');
            return int.TryParse((end < 0 ? procs : procs[..end]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var first) && first > 0
                ? first
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
