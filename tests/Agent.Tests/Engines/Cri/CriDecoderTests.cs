using Google.Protobuf;
using Runtime.V1;
using StackScope.Agent.Engines.Cri;

namespace StackScope.Agent.Tests.Engines.Cri;

/// <summary>
/// The agent's hand-written protobuf reading against messages Google.Protobuf writes from the real api.proto (the
/// generated code as the oracle): every field the agent uses, fields it does not know skipped, maps, wrappers,
/// negative numbers, and damaged input refused with a FormatException rather than read wrongly.
/// </summary>
public sealed class CriDecoderTests
{
    [Fact]
    public void Containers_with_every_field_the_agent_reads_and_the_ones_it_skips()
    {
        var container = new Container
        {
            Id = "c1",
            PodSandboxId = "s1",
            Metadata = new ContainerMetadata { Name = "app", Attempt = 300 },
            Image = new ImageSpec { Image = "sha256:abc", UserSpecifiedImage = "registry.example/web:1.2" },
            ImageRef = "sha256:def",
            State = ContainerState.ContainerExited,
            CreatedAt = 1_765_000_000_123_456_789,
            ImageId = "skipped",
        };
        container.Labels["io.kubernetes.pod.namespace"] = "payments";
        container.Labels["ünïcode"] = "välue ✓";
        container.Annotations["io.kubernetes.container.restartCount"] = "300";
        container.Image.Annotations["skipped"] = "too";
        var response = new ListContainersResponse();
        response.Containers.Add(container);
        response.Containers.Add(new Container { Id = "c2", State = ContainerState.ContainerRunning, Image = new ImageSpec { Image = "busybox" } });

        var read = CriDecoder.Containers(response.ToByteArray());

        Assert.Equal(2, read.Count);
        var first = read[0];
        Assert.Equal(("c1", "s1", "app", 300u, CriState.Exited, 1_765_000_000_123_456_789L), (first.Id, first.SandboxId, first.Name, first.Attempt, first.State, first.CreatedAt));
        Assert.Equal("registry.example/web:1.2", first.Image); // what the pod spec says, over the resolved reference
        Assert.Equal("payments", first.Labels["io.kubernetes.pod.namespace"]);
        Assert.Equal("välue ✓", first.Labels["ünïcode"]);
        Assert.Equal(("c2", CriState.Running, "busybox"), (read[1].Id, read[1].State, read[1].Image));
    }

    [Fact]
    public void Sandboxes_with_their_pod_and_state()
    {
        var response = new ListPodSandboxResponse();
        var ready = new PodSandbox { Id = "s1", Metadata = new PodSandboxMetadata { Name = "web-1", Namespace = "shop", Uid = "u-1", Attempt = 2 }, State = PodSandboxState.SandboxReady, CreatedAt = 42 };
        ready.Labels["app"] = "web";
        response.Items.Add(ready);
        response.Items.Add(new PodSandbox { Id = "s2", State = PodSandboxState.SandboxNotready, RuntimeHandler = "runc" });

        var read = CriDecoder.Sandboxes(response.ToByteArray());

        Assert.Equal(("s1", "web-1", "shop", "u-1", true, 42L), (read[0].Id, read[0].Name, read[0].Namespace, read[0].Uid, read[0].Ready, read[0].CreatedAt));
        Assert.Equal("web", read[0].Labels["app"]);
        Assert.False(read[1].Ready);
    }

    [Fact]
    public void A_status_with_a_negative_exit_code_and_the_verbose_infos_pid_and_cgroup()
    {
        var response = new ContainerStatusResponse
        {
            Status = new ContainerStatus
            {
                Id = "c1",
                State = ContainerState.ContainerExited,
                CreatedAt = 1,
                StartedAt = 2,
                FinishedAt = 3,
                ExitCode = -1,
                Reason = "OOMKilled",
                Image = new ImageSpec { Image = "busybox" },
                Message = "skipped",
                LogPath = "/var/log/pods/x",
            },
        };
        response.Info["info"] = """{"sandboxID":"s1","pid":4242,"runtimeSpec":{"process":{"args":["sh"]},"linux":{"resources":{"memory":{"limit":1}},"cgroupsPath":"/kubepods/besteffort/podu-1/c1"}}}""";
        response.Info["other"] = "ignored";

        var status = CriStatusDecoder.Status(response.ToByteArray())!;

        Assert.Equal(("c1", CriState.Exited, 1L, 2L, 3L, -1, "OOMKilled", "busybox"),
            (status.Id, status.State, status.CreatedAt, status.StartedAt, status.FinishedAt, status.ExitCode, status.Reason, status.Image));
        Assert.Equal((4242, "/kubepods/besteffort/podu-1/c1"), (status.Pid, status.CgroupsPath));
    }

    [Theory]
    [InlineData("""{"pid":7,"runtimeSpec":{"linux":{"cgroupsPath":"kubepods-besteffort-pod1.slice:cri-containerd:c1"}}}""", 7, "kubepods-besteffort-pod1.slice:cri-containerd:c1")]
    [InlineData("""{"pid":7,"other":{"linux":{"cgroupsPath":"/not/this"}}}""", 7, null)] // only the runtime spec's
    [InlineData("""{"pid":"7"}""", 0, null)]
    [InlineData("not json", 0, null)]
    public void Verbose_info(string json, int pid, string? cgroupsPath) => Assert.Equal((pid, cgroupsPath), CriStatusDecoder.VerboseInfo(json));

    [Fact]
    public void Stats_with_wrappers_present_and_absent()
    {
        var response = new ListContainerStatsResponse();
        response.Stats.Add(new ContainerStats
        {
            Attributes = new ContainerAttributes { Id = "c1" },
            Cpu = new CpuUsage { Timestamp = 1, UsageCoreNanoSeconds = new UInt64Value { Value = 987_654_321_000 } },
            Memory = new MemoryUsage { WorkingSetBytes = new UInt64Value { Value = 20_815_872 }, AvailableBytes = new UInt64Value { Value = 113_401_856 }, RssBytes = new UInt64Value { Value = 5 } },
        });
        response.Stats.Add(new ContainerStats { Attributes = new ContainerAttributes { Id = "exited" } });

        var read = CriDecoder.Stats(response.ToByteArray());

        Assert.Equal(("c1", 987_654_321_000UL, 20_815_872UL, 113_401_856UL), (read[0].Id, read[0].CpuNanos!.Value, read[0].WorkingSetBytes!.Value, read[0].AvailableBytes!.Value));
        Assert.Equal(("exited", (ulong?)null, (ulong?)null, (ulong?)null), (read[1].Id, read[1].CpuNanos, read[1].WorkingSetBytes, read[1].AvailableBytes));
    }

    [Fact]
    public void The_polls_fingerprint_changes_with_an_id_or_a_state_and_nothing_else()
    {
        static byte[] List(params (string Id, ContainerState State, string Label)[] containers)
        {
            var response = new ListContainersResponse();
            foreach (var (id, state, label) in containers)
            {
                var c = new Container { Id = id, State = state, Metadata = new ContainerMetadata { Name = "app" } };
                c.Labels["l"] = label;
                response.Containers.Add(c);
            }

            return response.ToByteArray();
        }

        var running = CriDecoder.Fingerprint(List(("a", ContainerState.ContainerRunning, "x"), ("b", ContainerState.ContainerRunning, "x")));
        Assert.Equal(running, CriDecoder.Fingerprint(List(("a", ContainerState.ContainerRunning, "y"), ("b", ContainerState.ContainerRunning, "z"))));
        Assert.NotEqual(running, CriDecoder.Fingerprint(List(("a", ContainerState.ContainerRunning, "x"), ("b", ContainerState.ContainerExited, "x"))));
        Assert.NotEqual(running, CriDecoder.Fingerprint(List(("a", ContainerState.ContainerRunning, "x"))));
        Assert.NotEqual(running, CriDecoder.Fingerprint(List(("a", ContainerState.ContainerRunning, "x"), ("c", ContainerState.ContainerRunning, "x"))));
        Assert.NotEqual(CriDecoder.Fingerprint(List(("ab", ContainerState.ContainerRunning, "x"))), CriDecoder.Fingerprint(List(("a", ContainerState.ContainerRunning, "x"), ("b", ContainerState.ContainerRunning, "x"))));
    }

    [Fact]
    public void Damaged_messages_are_refused()
    {
        var whole = new ListContainersResponse { Containers = { new Container { Id = "c1", Metadata = new ContainerMetadata { Name = "app" } } } }.ToByteArray();
        Assert.Throws<FormatException>(() => CriDecoder.Containers(whole.AsSpan(0, whole.Length - 1))); // cut short
        Assert.Throws<FormatException>(() => CriDecoder.Containers([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])); // a length past the end
        Assert.Throws<FormatException>(() => CriDecoder.Containers([0x0B])); // wire type 3 (groups) is not protobuf 3
        Assert.Empty(CriDecoder.Containers([]));
    }
}
