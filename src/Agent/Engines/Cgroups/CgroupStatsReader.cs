using System.Collections.Concurrent;
using System.Globalization;
using StackScope.Agent.Host;

namespace StackScope.Agent.Engines.Cgroups;

/// <summary>
/// Reads a container's CPU and memory counters straight from its cgroup files — the same files the engine
/// reads for its stats endpoint — so a cycle over 100 containers costs file reads, not 100 calls that each
/// wait for the engine's 1 s stats tick. Knows cgroup v1 and v2; where a container's cgroup lies is the
/// engine's business, given as path patterns relative to a controller with <c>{id}</c> for the container id
/// (Docker: <c>docker/{id}</c>, <c>system.slice/docker-{id}.scope</c>). Returns null when the cgroup is not
/// visible (e.g. the agent runs in a container without the host's /sys/fs/cgroup): the engine's API decides.
/// </summary>
internal sealed class CgroupStatsReader
{
    private readonly string _cgroupRoot;
    private readonly string _procRoot;
    private readonly ContainerNetwork _network;
    private readonly IReadOnlyList<string> _pathPatterns;
    private readonly bool _unified;

    // The host's /proc/stat among the open files; never closed by a container's going.
    private const string HostFiles = "";

    // Where a container's cgroup lies does not change while it runs: found once, not looked up with a dozen stat calls
    // per container per cycle; its files stay open between cycles. Dropped when a read fails or it no longer runs.
    private readonly ConcurrentDictionary<(string Controller, string Id), string> _dirs = new();
    private readonly KernelFileHandles _files;

    // Cgroups an engine names itself (a CRI runtime's spec or the process's /proc/<pid>/cgroup), relative to a controller:
    // used before the patterns, which cannot know a pod's UID or QoS class.
    private readonly ConcurrentDictionary<string, string> _placed = new(StringComparer.Ordinal);

    // Each file's full path, made once while its container runs instead of a Path.Combine per file per cycle (with the
    // files' text as strings, most of a cycle's allocations); dropped with the container's directories.
    private readonly ConcurrentDictionary<(string Dir, string Name), string> _paths = new();

    // The host's counter as last read, and when (a Stopwatch timestamp). See Read for how long it is good for.
    private HostReading? _host;

    // Reused within this time: far shorter than any interval, so it stays within what a container's delta tolerates.
    private static readonly TimeSpan HostReadingLife = TimeSpan.FromMilliseconds(1);

    private sealed record HostReading(long At, ulong System, int Online);

    public CgroupStatsReader(string cgroupRoot, string procRoot, IReadOnlyList<string> pathPatterns, KernelFileHandles? files = null)
    {
        _cgroupRoot = cgroupRoot;
        _procRoot = procRoot;
        _network = new ContainerNetwork(procRoot);
        _pathPatterns = pathPatterns;
        _unified = File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers"));
        _files = files ?? new KernelFileHandles();
    }

    public bool IsCgroupV2 => _unified;

    /// <param name="containerId">The engine's full id, as its cgroup is named.</param>
    /// <param name="pid">The container's main process as the engine knows it (a host PID), if known: its network namespace is
    /// the container's, readable through the host's /proc even when the agent has a PID namespace of its own.</param>
    public ContainerCounters? Read(string containerId, int pid = 0)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The host's counter is read right before the container's, as dockerd does: read once per cycle instead,
                // a container read later in a busy cycle had its delta measured over a longer window than the host's
                // (seen: 70 % for a container capped at 50 %). A reading under a millisecond old is as good (an error of
                // at most 1 ms in a 1 s interval: 0.1 % of the figure) and spares the kernel rendering /proc/stat, every
                // interrupt's count included, for each of the containers read in turn in that millisecond.
                var host = HostNow();
                return _unified ? ReadV2(containerId, host.System, host.Online, pid) : ReadV1(containerId, host.System, host.Online, pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                Forget(containerId);
                if (attempt == 2)
                {
                    return null; // gone between listing and reading, or not readable: the Engine API decides
                }

                // Files kept open fail once their cgroup is removed, and a restart makes a new one at the same path:
                // once more with fresh ones.
            }
        }
    }

    private HostReading HostNow()
    {
        if (Volatile.Read(ref _host) is { } recent && System.Diagnostics.Stopwatch.GetElapsedTime(recent.At) < HostReadingLife)
        {
            return recent;
        }

        var (times, online) = ProcStatParser.Parse(_files.Read(HostFiles, FileOf(_procRoot, "stat")));
        var reading = new HostReading(System.Diagnostics.Stopwatch.GetTimestamp(), CgroupText.SystemNanos(times), online);
        Volatile.Write(ref _host, reading);
        return reading;
    }

    /// <summary>Where the container's cgroup lies, relative to each controller's root ("/kubepods/besteffort/pod1/abc").</summary>
    public void Place(string containerId, string relativePath)
    {
        if (!_placed.TryGetValue(containerId, out var known) || known != relativePath)
        {
            Forget(containerId);
            _placed[containerId] = relativePath;
        }
    }

    /// <summary>Forgets the paths and closes the files of containers not read this cycle (gone, or no longer running).</summary>
    public void Retain(IReadOnlySet<string> runningIds)
    {
        ArgumentNullException.ThrowIfNull(runningIds);
        DropPaths(id => !runningIds.Contains(id));
        foreach (var gone in _placed.Keys.Where(id => !runningIds.Contains(id)).ToList())
        {
            _placed.TryRemove(gone, out _);
        }

        _files.Retain(runningIds, HostFiles); // closes, in one pass, the files of every container not kept
    }

    private void Forget(string id)
    {
        DropPaths(known => known == id);
        _files.Close(id);
    }

    private void DropPaths(Func<string, bool> gone)
    {
        foreach (var key in _dirs.Keys.Where(k => gone(k.Id)).ToList())
        {
            if (_dirs.TryRemove(key, out var dir))
            {
                foreach (var file in _paths.Keys.Where(f => f.Dir == dir).ToList())
                {
                    _paths.TryRemove(file, out _);
                }
            }
        }

        _network.Forget(gone);
    }

    private string FileOf(string dir, string name) => _paths.GetOrAdd((dir, name), static file => Path.Combine(file.Dir, file.Name));

    private ContainerCounters? ReadV1(string id, ulong system, int online, int pid)
    {
        var cpuDir = Find("cpuacct", id) ?? Find("cpu,cpuacct", id);
        var memoryDir = Find("memory", id);
        if (cpuDir is null || memoryDir is null)
        {
            return null;
        }

        var usage = ReadNumber(id, FileOf(cpuDir, "cpuacct.usage"));
        var memoryUsage = ReadNumber(id, FileOf(memoryDir, "memory.usage_in_bytes"));
        var memory = new MemoryCounters(
            memoryUsage,
            ReadNumber(id, FileOf(memoryDir, "memory.limit_in_bytes")),
            InactiveFile(_files.Read(id, FileOf(memoryDir, "memory.stat")), memoryUsage));
        var (read, written) = BlockIoV1(id, Find("blkio", id));
        var pidsDir = Find("pids", id);
        var io = new IoCounters(null, null, read, written, pidsDir is null ? null : TryNumber(id, FileOf(pidsDir, "pids.current")));
        return new ContainerCounters(new CpuSnapshot(usage, system, online), memory)
        {
            Io = _network.With(io, id, pid, FileOf(cpuDir, "cgroup.procs")),
            OomKills = TryKey(id, FileOf(memoryDir, "memory.oom_control"), "oom_kill"),
        };
    }

    private ContainerCounters? ReadV2(string id, ulong system, int online, int pid)
    {
        var dir = Find("", id);
        if (dir is null)
        {
            return null;
        }

        var usageMicros = CgroupText.FlatKey(_files.Read(id, FileOf(dir, "cpu.stat")), "usage_usec") ?? 0;
        // Each text is parsed before the next read: they share this thread's buffer.
        var max = _files.Read(id, FileOf(dir, "memory.max")).Trim() is var text && text.SequenceEqual("max") ? 0 : ulong.Parse(text, CultureInfo.InvariantCulture);
        var current = ReadNumber(id, FileOf(dir, "memory.current"));
        var memory = new MemoryCounters(current, max, InactiveFile(_files.Read(id, FileOf(dir, "memory.stat")), current));
        var (read, written) = _files.TryRead(id, FileOf(dir, "io.stat"), out var ioStat) ? CgroupText.ParseIoStat(ioStat) : ((long?)null, (long?)null);
        var io = new IoCounters(null, null, read, written, TryNumber(id, FileOf(dir, "pids.current")));
        return new ContainerCounters(new CpuSnapshot(usageMicros * 1000, system, online), memory)
        {
            Io = _network.With(io, id, pid, FileOf(dir, "cgroup.procs")),
            OomKills = TryKey(id, FileOf(dir, "memory.events"), "oom_kill"),
        };
    }

    // runc's order (libcontainer/cgroups/fs/blkio.go): the CFQ and BFQ schedulers' counters when they have any, else
    // the throttle layer's, which every kernel keeps. Docker's stats and so the CLI's BLOCK I/O read the same.
    private static readonly string[] BlkioFiles =
    [
        "blkio.io_service_bytes_recursive", "blkio.bfq.io_service_bytes_recursive",
        "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes",
    ];

    private (long? Read, long? Written) BlockIoV1(string id, string? dir)
    {
        if (dir is null)
        {
            return (null, null);
        }

        // A file this kernel does not keep is looked for once while the container runs (the handles remember it).
        foreach (var file in BlkioFiles)
        {
            if (_files.TryRead(id, FileOf(dir, file), out var text) && CgroupText.ParseBlkio(text) is { } totals)
            {
                return totals;
            }
        }

        return (0, 0);
    }

    private long? TryNumber(string id, string path) =>
        _files.TryRead(id, path, out var text) && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private long? TryKey(string id, string path, string key) =>
        _files.TryRead(id, path, out var text) && CgroupText.FlatKey(text, key) is { } value ? (long)value : null;

    private string? Find(string controller, string id)
    {
        if (_dirs.TryGetValue((controller, id), out var known))
        {
            return known;
        }

        if (_placed.TryGetValue(id, out var placed))
        {
            var dir = Path.Combine(_cgroupRoot, controller, placed.TrimStart('/'));
            if (Directory.Exists(dir))
            {
                _dirs[(controller, id)] = dir;
                return dir;
            }

            return null;
        }

        foreach (var pattern in _pathPatterns)
        {
            var dir = Path.Combine(_cgroupRoot, controller, pattern.Replace("{id}", id, StringComparison.Ordinal));
            if (Directory.Exists(dir))
            {
                _dirs[(controller, id)] = dir;
                return dir;
            }
        }

        return null;
    }

    private static ulong InactiveFile(ReadOnlySpan<char> memoryStat, ulong usage) =>
        MemoryCounters.InactiveFile(memoryStat, static (text, key) => CgroupText.FlatKey(text, key), usage);

    private ulong ReadNumber(string id, string path) => ulong.Parse(_files.Read(id, path).Trim(), CultureInfo.InvariantCulture);
}
