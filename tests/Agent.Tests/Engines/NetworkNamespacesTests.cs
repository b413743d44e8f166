using System.Diagnostics;
using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Engines.Docker;

namespace StackScope.Agent.Tests;

/// <summary>
/// A container on the host's network is reported without network figures, as docker stats shows 0B / 0B for it: its
/// process's /proc/PID/net/dev holds the host's counters. Decided by comparing network namespaces with PID 1's.
/// </summary>
public sealed class NetworkNamespacesTests : IDisposable
{
    private const string Id = "7a3c1f00d00dfeed7a3c1f00d00dfeed7a3c1f00d00dfeed7a3c1f00d00dfeed";
    private readonly string _root = Directory.CreateTempSubdirectory("ss-netns-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Cgroups(string proc, string containerNamespace)
    {
        var cgroups = Path.Combine(_root, "cgroup");
        Write(cgroups, $"cpuacct/docker/{Id}/cpuacct.usage", "1000\n");
        Write(cgroups, $"cpuacct/docker/{Id}/cgroup.procs", "4242\n");
        Write(cgroups, $"memory/docker/{Id}/memory.usage_in_bytes", "1048576\n");
        Write(cgroups, $"memory/docker/{Id}/memory.limit_in_bytes", "9223372036854771712\n");
        Write(cgroups, $"memory/docker/{Id}/memory.stat", "total_inactive_file 0\n");
        Write(proc, "stat", "cpu  400 0 100 400 50 0 50 7 9 0\ncpu0 400 0 100 400 50 0 50 7 9 0\n");
        Write(proc, "4242/net/dev", "  eth0: 1000 7 0 0 0 0 0 0 2000 3 0 0 0 0 0 0\n");
        Link(proc, "1/ns/net", "net:[4026531992]");
        Link(proc, "4242/ns/net", containerNamespace);
        return cgroups;
    }

    [Fact]
    public void On_the_hosts_network_a_container_has_no_network_figures_in_its_own_it_has_them()
    {
        var hostProc = Path.Combine(_root, "host-proc");
        var onHost = new CgroupStatsReader(Cgroups(hostProc, "net:[4026531992]"), hostProc, DockerEngine.CgroupPathPatterns).Read(Id, pid: 4242)!;
        Assert.Null(onHost.Io.NetRxBytes);
        Assert.Null(onHost.Io.NetTxBytes);

        var ownProc = Path.Combine(_root, "own-proc");
        var own = new CgroupStatsReader(Cgroups(ownProc, "net:[4026532301]"), ownProc, DockerEngine.CgroupPathPatterns).Read(Id, pid: 4242)!;
        Assert.Equal((1000L, 2000L), (own.Io.NetRxBytes, own.Io.NetTxBytes));
    }

    [Fact]
    public void Links_that_cannot_be_read_keep_the_counters_as_read()
    {
        var proc = Path.Combine(_root, "no-links");
        Cgroups(proc, "net:[4026531992]");
        File.Delete(Path.Combine(proc, "1", "ns", "net"));
        Assert.False(new NetworkNamespaces(proc).SharesHosts(4242));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Real_processes_one_on_the_hosts_network_one_in_a_namespace_of_its_own()
    {
        var namespaces = new NetworkNamespaces("/proc");
        // Two real processes: one on this (the host's) network, one in a network namespace of its own (only its own
        // loopback, as a container has), made by unshare(1) as root.
        using var onHost = Process.Start(new ProcessStartInfo("sleep", ["30"]))!;
        using var isolated = Process.Start(new ProcessStartInfo("unshare", ["--net", "sleep", "30"]))!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (NamespaceOf(isolated.Id) == NamespaceOf(Environment.ProcessId) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20); // until unshare has moved before exec'ing sleep
            }

            Assert.Equal(NamespaceOf(Environment.ProcessId), NamespaceOf(onHost.Id));
            Assert.NotEqual(NamespaceOf(Environment.ProcessId), NamespaceOf(isolated.Id));
            Assert.True(namespaces.SharesHosts(onHost.Id), "a process on the host's network");
            Assert.False(namespaces.SharesHosts(isolated.Id), "a process of its own network namespace");
        }
        finally
        {
            foreach (var process in new[] { onHost, isolated })
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }
    }

    private static string? NamespaceOf(int pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget;

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static void Link(string root, string relative, string target)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        File.CreateSymbolicLink(path, target);
    }
}
