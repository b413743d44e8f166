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
internal sealed class CgroupStatsReader(string cgroupRoot, string procRoot, IReadOnlyList<string> pathPatterns)
{
    // USER_HZ is 100 on every Linux the engines support; dockerd converts /proc/stat ticks the same way.
    private const ulong NanosPerTick = 1_000_000_000 / 100;

    private readonly bool _unified = File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers"));

    public bool IsCgroupV2 => _unified;

    public ContainerCounters? Read(string containerId)
    {
        try
        {
            // The host's counter is read right before the container's, for every container, as dockerd does: read
            // once per cycle instead, a container read later in a busy cycle had its delta measured over a longer
            // window than the host's (seen: 70 % for a container capped at 50 %).
            var (times, online) = ProcStatParser.Parse(File.ReadAllText(Path.Combine(procRoot, "stat")));
            var system = SystemNanos(times);
            return _unified ? ReadV2(containerId, system, online) : ReadV1(containerId, system, online);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null; // gone between listing and reading, or not readable: the Engine API decides
        }
    }

    /// <summary>dockerd's system_cpu_usage: user..softirq of the aggregate /proc/stat line (no steal, no guest), in nanoseconds.</summary>
    internal static ulong SystemNanos(CpuTimes times) =>
        (times.User + times.Nice + times.System + times.Idle + times.IoWait + times.Irq + times.SoftIrq) * NanosPerTick;

    private ContainerCounters? ReadV1(string id, ulong system, int online)
    {
        var cpuDir = Find("cpuacct", id) ?? Find("cpu,cpuacct", id);
        var memoryDir = Find("memory", id);
        if (cpuDir is null || memoryDir is null)
        {
            return null;
        }

        var usage = ReadNumber(Path.Combine(cpuDir, "cpuacct.usage"));
        var memory = MemoryCounters.FromStat(
            ReadNumber(Path.Combine(memoryDir, "memory.usage_in_bytes")),
            ReadNumber(Path.Combine(memoryDir, "memory.limit_in_bytes")),
            ParseFlatKeyed(File.ReadAllText(Path.Combine(memoryDir, "memory.stat"))));
        return new ContainerCounters(new CpuSnapshot(usage, system, online), memory);
    }

    private ContainerCounters? ReadV2(string id, ulong system, int online)
    {
        var dir = Find("", id);
        if (dir is null)
        {
            return null;
        }

        var cpu = ParseFlatKeyed(File.ReadAllText(Path.Combine(dir, "cpu.stat")));
        var max = File.ReadAllText(Path.Combine(dir, "memory.max")).Trim();
        var memory = MemoryCounters.FromStat(
            ReadNumber(Path.Combine(dir, "memory.current")),
            max == "max" ? 0 : ulong.Parse(max, CultureInfo.InvariantCulture),
            ParseFlatKeyed(File.ReadAllText(Path.Combine(dir, "memory.stat"))));
        return new ContainerCounters(new CpuSnapshot(cpu.GetValueOrDefault("usage_usec") * 1000, system, online), memory);
    }

    private string? Find(string controller, string id)
    {
        foreach (var pattern in pathPatterns)
        {
            var dir = Path.Combine(cgroupRoot, controller, pattern.Replace("{id}", id, StringComparison.Ordinal));
            if (Directory.Exists(dir))
            {
                return dir;
            }
        }

        return null;
    }

    internal static Dictionary<string, ulong> ParseFlatKeyed(string text)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var space = line.IndexOf(' ');
            if (space > 0 && ulong.TryParse(line[(space + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..space].ToString()] = value;
            }
        }

        return values;
    }

    private static ulong ReadNumber(string path) => ulong.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
}
