using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Engines.Cri;

namespace StackScope.Agent.Tests.Engines.Cri;

/// <summary>
/// Where a pod container's cgroup lies on the node kinds this machine cannot run (cgroup v2, the systemd driver,
/// CRI-O): resolved from the runtime's spec and from /proc/&lt;pid&gt;/cgroup, then read from fixture trees laid out as
/// those nodes lay them out.
/// </summary>
public sealed class CriCgroupPathTests : IDisposable
{
    private const string Id = "d70aa67f0e6c4a2b9b8e1c3f5a7d9e0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f";
    private readonly string _root = Directory.CreateTempSubdirectory("ss-cri-cgroup-").FullName;

    [Theory]
    [InlineData("/kubepods/besteffort/pod1234/" + Id, "/kubepods/besteffort/pod1234/" + Id)] // cgroupfs driver
    [InlineData("kubepods-besteffort-pod1234.slice:cri-containerd:" + Id,
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/cri-containerd-" + Id + ".scope")] // systemd, containerd
    [InlineData("kubepods-burstable-pod99.slice:crio:" + Id,
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod99.slice/crio-" + Id + ".scope")] // systemd, CRI-O
    [InlineData("kubepods-pod7.slice:cri-containerd:" + Id, "/kubepods.slice/kubepods-pod7.slice/cri-containerd-" + Id + ".scope")] // guaranteed QoS
    [InlineData("", null)]
    [InlineData("relative/path", null)]
    [InlineData("/../escapes", null)]
    public void From_the_runtime_spec(string cgroupsPath, string? expected) => Assert.Equal(expected, CriCgroupPath.FromSpec(cgroupsPath));

    [Fact]
    public void From_proc_on_v1_v2_and_from_inside_a_cgroup_namespace()
    {
        const string v1 = "12:pids:/kubepods/besteffort/pod1/c\n5:cpu,cpuacct:/kubepods/besteffort/pod1/c\n4:memory:/kubepods/besteffort/pod1/c\n0::/\n";
        Assert.Equal("/kubepods/besteffort/pod1/c", CriCgroupPath.FromProc(v1, unified: false));
        const string v2 = "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-c.scope\n";
        Assert.Equal("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-c.scope", CriCgroupPath.FromProc(v2, unified: true));
        // Read from inside another cgroup namespace (an agent pod on a v2 node), the path climbs out of the reader's root.
        Assert.Null(CriCgroupPath.FromProc("0::/../../kubepods-burstable.slice/x.scope\n", unified: true));
        Assert.Null(CriCgroupPath.FromProc("", unified: true));
    }

    [Fact]
    public void A_v2_systemd_node_is_read_where_the_spec_says()
    {
        var relative = CriCgroupPath.FromSpec("kubepods-besteffort-pod1234.slice:cri-containerd:" + Id)!;
        var dir = Path.Combine(_root, "sys", relative.TrimStart('/'));
        Write(Path.Combine(_root, "sys"), "cgroup.controllers", "cpu io memory pids\n");
        Write(dir, "cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");
        Write(dir, "memory.current", "20815872\n");
        Write(dir, "memory.max", "134217728\n");
        Write(dir, "memory.stat", "anon 20000000\ninactive_file 4096\n");
        Write(dir, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        Write(dir, "pids.current", "2\n");
        Write(dir, "io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2\n");
        Write(Path.Combine(_root, "proc"), "stat", "cpu  400 0 100 400 50 0 50 0 0 0\ncpu0 400 0 100 400 50 0 50 0 0 0\n");

        var reader = new CgroupStatsReader(Path.Combine(_root, "sys"), Path.Combine(_root, "proc"), []);
        Assert.True(reader.IsCgroupV2);
        Assert.Null(reader.Read(Id)); // no pattern finds a pod's cgroup: it must be placed
        reader.Place(Id, relative);
        var counters = reader.Read(Id)!;

        Assert.Equal(1_500_000_000UL, counters.Cpu!.Value.ContainerNanos);
        Assert.Equal((20815872UL, 134217728UL, 4096UL), (counters.Memory.UsageBytes, counters.Memory.LimitBytes, counters.Memory.InactiveFileBytes));
        Assert.Equal((4096L, 8192L, 2L), (counters.Io.BlockReadBytes!.Value, counters.Io.BlockWriteBytes!.Value, counters.Io.Pids!.Value));
        Assert.Equal(1L, counters.OomKills);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Write(string dir, string name, string text)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name), text);
    }
}
