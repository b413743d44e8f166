using Microsoft.Extensions.Logging.Abstractions;
using Runtime.V1;
using StackScope.Agent.Engines;
using StackScope.Agent.Engines.Cgroups;
using StackScope.Agent.Engines.Cri;
using StackScope.Tests.Common.Cri;

namespace StackScope.Agent.Tests.Engines.Cri;

/// <summary>
/// The CRI engine against a real containerd with its CRI plugin (scripts/cri.sh), pods made by a fake kubelet: a
/// steady pod container's row, its labels, and its counters against the cgroup files and containerd's own stats read
/// around the agent's read.
/// </summary>
[Collection(CriTestGroup.Name)]
public sealed class CriEngineTests : IAsyncLifetime
{
    private FakeKubelet _kubelet = null!;
    private readonly List<Pod> _pods = [];

    public async Task InitializeAsync() => _kubelet = await CriRuntime.KubeletAsync();

    public async Task DisposeAsync()
    {
        foreach (var pod in _pods)
        {
            await _kubelet.RemovePodAsync(pod);
        }

        _kubelet.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_steady_pod_container_is_one_row_with_its_pod_and_the_cgroup_files_figures(bool cgroupFiles)
    {
        var pod = await RunPodAsync("payments", "web-7d4b9", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web" });
        // ~20 MiB of anonymous memory and a little CPU, under a 64 MiB limit.
        var id = await _kubelet.StartContainerAsync(pod, "app", 0,
            ["sh", "-c", "x=$(head -c 20000000 /dev/zero | tr '\\0' a); while :; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; sleep 0.2; done"],
            memoryLimitBytes: 64L * 1024 * 1024);
        await Task.Delay(TimeSpan.FromSeconds(2));

        using var client = new CriClient(CriRuntime.Host, TimeSpan.FromSeconds(10));
        var reader = cgroupFiles ? new CgroupStatsReader("/sys/fs/cgroup", "/proc", []) : null;
        var engine = new CriEngine(client, reader, "/proc", CriDialect.Containerd, NullLogger<CriEngine>.Instance);
        var cgroup = Path.Combine("/sys/fs/cgroup/{0}/kubepods/besteffort", "pod" + pod.Config.Metadata.Uid, id);

        var cpuBefore = Cgroup(cgroup, "cpuacct", "cpuacct.usage");
        var criBefore = await CriStatsAsync(id);
        var samples = await engine.SampleAsync(CancellationToken.None);
        var criAfter = await CriStatsAsync(id);
        var cpuAfter = Cgroup(cgroup, "cpuacct", "cpuacct.usage");

        var row = Assert.Single(samples, s => s.Id == id);
        Assert.Equal("payments_web-7d4b9_app", row.Name);
        Assert.Equal("running", row.State);
        Assert.Equal(OciImages.Busybox, row.Image);
        Assert.Equal("payments", row.Labels!["io.kubernetes.pod.namespace"]);
        Assert.Equal("web-7d4b9", row.Labels["io.kubernetes.pod.name"]);
        Assert.Equal("app", row.Labels["io.kubernetes.container.name"]);
        Assert.Equal("web", row.Labels["app.kubernetes.io/name"]); // the pod's own label, from its sandbox
        Assert.Equal(0, row.Lifecycle!.RestartCount);
        Assert.True(row.Lifecycle.Pid > 0);
        Assert.True(row.Lifecycle.StartedNano > 0);

        var counters = row.Counters!;
        // CPU: between the counter read just before and just after the agent's read, by either way of reading.
        var (low, high) = cgroupFiles ? (cpuBefore, cpuAfter) : (criBefore.Cpu.UsageCoreNanoSeconds.Value, criAfter.Cpu.UsageCoreNanoSeconds.Value);
        Assert.InRange(counters.Cpu!.Value.ContainerNanos, low, high);
        Assert.True(counters.Cpu.Value.ContainerNanos > 0);
        if (cgroupFiles)
        {
            Assert.Equal(64UL * 1024 * 1024, counters.Memory.LimitBytes);
            Assert.Equal(Cgroup(cgroup, "memory", "memory.limit_in_bytes"), counters.Memory.LimitBytes);
            // Usage less inactive file is containerd's working set; both read within a few ms of each other.
            var workingSet = counters.Memory.UsageBytes - counters.Memory.InactiveFileBytes;
            Assert.InRange((double)workingSet, criBefore.Memory.WorkingSetBytes.Value - (1 << 20), criAfter.Memory.WorkingSetBytes.Value + (1 << 20));
            Assert.True(counters.Io.Pids >= 1);
            Assert.NotNull(counters.OomKills);
        }
        else
        {
            // From CRI stats: the working set as the usage (memory moves a little between reads: within 1 MiB of either),
            // the limit as working set + available.
            Assert.InRange((double)counters.Memory.UsageBytes, Math.Min(criBefore.Memory.WorkingSetBytes.Value, criAfter.Memory.WorkingSetBytes.Value) - (1 << 20),
                Math.Max(criBefore.Memory.WorkingSetBytes.Value, criAfter.Memory.WorkingSetBytes.Value) + (1 << 20));
            Assert.Equal(64UL * 1024 * 1024, counters.Memory.LimitBytes);
        }

        Assert.True(counters.Memory.UsageBytes > 20_000_000, $"usage {counters.Memory.UsageBytes}");
        // A pod on the host's network has no network figures of its own (docker stats shows 0 B for --network host).
        Assert.Null(counters.Io.NetRxBytes);
        Assert.Null(counters.Io.NetTxBytes);
    }

    /// <summary>kubelet deleting a pod stops its containers, then its sandbox: the end reads as a stop (kill, then die), never a crash.</summary>
    [Fact]
    public async Task A_deleted_pods_container_ends_with_a_kill_before_its_die()
    {
        var pod = await RunPodAsync("shop", "cart-5f6c7");
        var id = await _kubelet.StartContainerAsync(pod, "app", 0, ["sleep", "3600"]);
        using var client = new CriClient(CriRuntime.Host, TimeSpan.FromSeconds(10));
        var engine = new CriEngine(client, null, "/proc", CriDialect.Containerd, NullLogger<CriEngine>.Instance)
        {
            PollInterval = TimeSpan.FromMilliseconds(200),
        };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<EngineEvent>();
        var watch = Task.Run(async () =>
        {
            await foreach (var e in engine.WatchEventsAsync(EngineTime.ToUnixNanos(DateTimeOffset.UtcNow.AddMinutes(-1)), stop.Token))
            {
                lock (events)
                {
                    events.Add(e);
                }
            }
        }, stop.Token);

        await _kubelet.DeletePodAsync(pod, graceSeconds: 1);
        while (!stop.IsCancellationRequested && !Snapshot(events).Any(e => e.Action == "die"))
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
        var mine = Snapshot(events).Where(e => e.ContainerId == id).ToList();
        Assert.Equal(["start", "kill", "die"], mine.Select(e => e.Action));
        Assert.All(mine, e => Assert.Equal("shop_cart-5f6c7_app", e.Name));
        Assert.Equal(15, mine[1].Signal);
        Assert.Equal(137, mine[2].ExitCode);
        Assert.Equal(mine[2].TimeNano - 1, mine[1].TimeNano);
        var status = await _kubelet.StatusAsync(id);
        Assert.Equal(status.FinishedAt, mine[2].TimeNano); // the runtime's own time: the same however often it is looked at

        static List<EngineEvent> Snapshot(List<EngineEvent> events)
        {
            lock (events)
            {
                return [.. events];
            }
        }
    }

    private async Task<Pod> RunPodAsync(string ns, string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var pod = await _kubelet.RunPodAsync(ns, name, labels);
        _pods.Add(pod);
        return pod;
    }

    private async Task<ContainerStats> CriStatsAsync(string id) =>
        (await _kubelet.Runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = id })).Stats;

    private static ulong Cgroup(string pattern, string controller, string file) =>
        ulong.Parse(File.ReadAllText(Path.Combine(string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, controller), file)).Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The CRI tests share one containerd: one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class CriTestGroup
{
    public const string Name = "cri";
}
