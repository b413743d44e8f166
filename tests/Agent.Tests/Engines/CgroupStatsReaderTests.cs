using StackScope.Agent.Engines;
using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Engines.Docker;
using StackScope.Agent.Sampling;

namespace StackScope.Agent.Tests;

public sealed class CgroupStatsReaderTests : IDisposable
{
    private const string Id = "5052e826ec3c9fcd99315b7a2a201ad4645a9d0fd603ad795e4f83fb3459768c";
    private readonly string _root = Directory.CreateTempSubdirectory("ss-cgroup-").FullName;
    private readonly string _proc;

    public CgroupStatsReaderTests()
    {
        _proc = Path.Combine(_root, "proc");
        Directory.CreateDirectory(_proc);
        // user..softirq = 1000 ticks in all (steal and guest are not part of dockerd's system usage).
        File.WriteAllText(Path.Combine(_proc, "stat"), "cpu  400 0 100 400 50 0 50 7 9 0\ncpu0 200 0 50 200 25 0 25 3 4 0\ncpu1 200 0 50 200 25 0 25 4 5 0\n");
    }

    [Fact]
    public void Cgroup_v1_cgroupfs_driver()
    {
        var root = Path.Combine(_root, "v1");
        Write(root, $"cpuacct/docker/{Id}/cpuacct.usage", "7625560335\n");
        Write(root, $"memory/docker/{Id}/memory.usage_in_bytes", "62914560\n");
        Write(root, $"memory/docker/{Id}/memory.limit_in_bytes", "134217728\n");
        Write(root, $"memory/docker/{Id}/memory.stat", "cache 10485760\ninactive_file 1048576\ntotal_inactive_file 10485760\n");

        var (cpu, memory) = new CgroupStatsReader(root, _proc, DockerEngine.CgroupPathPatterns).Read(Id)!;

        Assert.Equal(new CpuSnapshot(7625560335, 1000UL * 10_000_000, 2), cpu);
        Assert.Equal(62914560UL, memory.UsageBytes);
        Assert.Equal(134217728UL, memory.LimitBytes);
        Assert.Equal((50.0, 39.06), ContainerMemoryCalculator.Calculate(memory, 1UL << 32)); // 60 - 10 MiB of 128
    }

    [Fact]
    public void Cgroup_v1_block_io_pids_network_and_oom_kills_as_docker_stats_reads_them()
    {
        var root = Path.Combine(_root, "v1io");
        Write(root, $"cpuacct/docker/{Id}/cpuacct.usage", "1000\n");
        Write(root, $"cpuacct/docker/{Id}/cgroup.procs", "4242\n4243\n");
        Write(root, $"memory/docker/{Id}/memory.usage_in_bytes", "1048576\n");
        Write(root, $"memory/docker/{Id}/memory.limit_in_bytes", "9223372036854771712\n");
        Write(root, $"memory/docker/{Id}/memory.stat", "total_inactive_file 0\n");
        Write(root, $"memory/docker/{Id}/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        // The CFQ file exists but lists no device (a kernel without CFQ): the throttle layer's counters are the ones.
        Write(root, $"blkio/docker/{Id}/blkio.io_service_bytes_recursive", "Total 0\n");
        Write(root, $"blkio/docker/{Id}/blkio.throttle.io_service_bytes_recursive",
            "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 12288\n8:16 Read 100\n8:16 Write 1\nTotal 12389\n");
        Write(root, $"pids/docker/{Id}/pids.current", "21\n");
        Write(_proc, "4242/net/dev",
            "Inter-|   Receive                                                |  Transmit\n" +
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
            "    lo:    5000      10    0    0    0     0          0         0     5000      10    0    0    0     0       0          0\n" +
            "  eth0: 1000000     700    0    0    0     0          0         0    20000     300    0    0    0     0       0          0\n" +
            "  eth1:      24       1    0    0    0     0          0         0       76       1    0    0    0     0       0          0\n");

        var counters = new CgroupStatsReader(root, _proc, DockerEngine.CgroupPathPatterns).Read(Id)!;

        Assert.Equal(new IoCounters(1000024, 20076, 4196, 8193, 21), counters.Io);
        Assert.Equal(2, counters.OomKills);
    }

    [Fact]
    public void Cgroup_v2_io_stat_pids_and_oom_kills()
    {
        var root = Path.Combine(_root, "v2io");
        Write(root, "cgroup.controllers", "cpu memory io pids\n");
        var dir = $"system.slice/docker-{Id}.scope";
        Write(root, $"{dir}/cpu.stat", "usage_usec 10\n");
        Write(root, $"{dir}/memory.current", "1048576\n");
        Write(root, $"{dir}/memory.max", "max\n");
        Write(root, $"{dir}/memory.stat", "inactive_file 0\n");
        Write(root, $"{dir}/memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        Write(root, $"{dir}/io.stat", "259:0 rbytes=2048 wbytes=1048576 rios=2 wios=256 dbytes=0 dios=0\n8:0 rbytes=10 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
        Write(root, $"{dir}/pids.current", "3\n");
        Write(root, $"{dir}/cgroup.procs", "");

        var counters = new CgroupStatsReader(root, _proc, DockerEngine.CgroupPathPatterns).Read(Id)!;

        // No process listed (exited meanwhile): no network figures, the rest is read.
        Assert.Equal(new IoCounters(null, null, 2058, 1048576, 3), counters.Io);
        Assert.Equal(1, counters.OomKills);

        // The engine's PID for the container (a host PID, visible through the host's /proc whatever the agent's own
        // PID namespace) gives its network namespace even when the cgroup lists no process the agent can see.
        Write(root, $"{dir}/cgroup.procs", "0\n");
        Write(_proc, "777/net/dev", "  eth0: 300 1 0 0 0 0 0 0 400 1 0 0 0 0 0 0\n    lo: 9 1 0 0 0 0 0 0 9 1 0 0 0 0 0 0\n");
        var viaPid = new CgroupStatsReader(root, _proc, DockerEngine.CgroupPathPatterns).Read(Id, pid: 777)!;
        Assert.Equal((300L, 400L), (viaPid.Io.NetRxBytes, viaPid.Io.NetTxBytes));
    }

    [Fact]
    public void Cgroup_v2_systemd_driver_without_limit()
    {
        var root = Path.Combine(_root, "v2");
        Write(root, "cgroup.controllers", "cpu memory\n");
        Write(root, $"system.slice/docker-{Id}.scope/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        Write(root, $"system.slice/docker-{Id}.scope/memory.current", "73400320\n");
        Write(root, $"system.slice/docker-{Id}.scope/memory.max", "max\n");
        Write(root, $"system.slice/docker-{Id}.scope/memory.stat", "anon 52428800\nfile 20971520\ninactive_file 20971520\n");

        var reader = new CgroupStatsReader(root, _proc, DockerEngine.CgroupPathPatterns);
        var (cpu, memory) = reader.Read(Id)!;

        Assert.True(reader.IsCgroupV2);
        Assert.Equal(2_500_000_000UL, cpu!.Value.ContainerNanos);
        Assert.Equal((50.0, 1.22), ContainerMemoryCalculator.Calculate(memory, 4096UL * 1048576)); // 70 - 20 MiB of the host's 4 GiB
    }

    [Theory]
    [InlineData("cache 1\ntotal_inactive_file 7\ninactive_file 3\n", "inactive_file", 3UL)]
    [InlineData("cache 1\ntotal_inactive_file 7\ninactive_file 3\n", "total_inactive_file", 7UL)]
    [InlineData("usage_usec 10\nuser_usec 4\n", "usage_usec", 10UL)]
    [InlineData("oom_kill_disable 0\nunder_oom 0\n", "oom_kill", null)]
    [InlineData("inactive_file_x 9\n", "inactive_file", null)]
    public void One_key_of_a_flat_keyed_file_is_found_by_its_whole_name(string text, string key, ulong? expected) =>
        Assert.Equal(expected, CgroupText.FlatKey(text, key));

    [Fact]
    public async Task The_host_counter_is_read_again_for_a_container_read_later_than_a_millisecond_after_it()
    {
        var root = Path.Combine(_root, "v1");
        Write(root, $"cpuacct/docker/{Id}/cpuacct.usage", "7625560335\n");
        Write(root, $"memory/docker/{Id}/memory.usage_in_bytes", "62914560\n");
        Write(root, $"memory/docker/{Id}/memory.limit_in_bytes", "134217728\n");
        Write(root, $"memory/docker/{Id}/memory.stat", "total_inactive_file 0\n");
        var reader = new CgroupStatsReader(root, _proc, DockerEngine.CgroupPathPatterns);
        Assert.Equal(1000UL * 10_000_000, reader.Read(Id)!.Cpu!.Value.SystemNanos);

        File.WriteAllText(Path.Combine(_proc, "stat"), "cpu  800 0 200 800 100 0 100 7 9 0\ncpu0 400 0 100 400 50 0 50 3 4 0\n");
        await Task.Delay(20);

        var later = reader.Read(Id)!.Cpu!.Value;
        Assert.Equal(2000UL * 10_000_000, later.SystemNanos);
        Assert.Equal(1, later.OnlineCpus);
    }

    [Fact]
    public void A_container_without_visible_cgroup_is_left_to_the_engine_api() =>
        Assert.Null(new CgroupStatsReader(Path.Combine(_root, "empty"), _proc, DockerEngine.CgroupPathPatterns).Read(Id));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
