using System.Net.Sockets;
using Grpc.Net.Client;
using Runtime.V1;
using StackScope.Contracts;

namespace StackScope.Tests.Common.Cri;

/// <summary>
/// Drives a real CRI runtime as kubelet does, with the client generated from the real <c>api.proto</c>: pods on the
/// host's network (the test machine has no CNI) with kubelet's labels and cgroup parent, containers created with
/// their attempt number and kubelet's labels and annotations, started, stopped and removed. Pod UIDs start with
/// "sstest-" (scripts/cri.sh removes their leftover cgroups). Also the tests' oracle: what the runtime itself answers.
/// </summary>
public sealed class FakeKubelet : IDisposable
{
    private readonly GrpcChannel _channel;

    public FakeKubelet(string address)
    {
        var socket = address["unix://".Length..];
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            },
        });
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);
    }

    public RuntimeService.RuntimeServiceClient Runtime { get; }

    /// <summary>A pod as kubelet makes one: its sandbox, on the host's network, in the best-effort QoS cgroup.</summary>
    public async Task<Pod> RunPodAsync(string ns, string name, IReadOnlyDictionary<string, string>? podLabels = null)
    {
        var uid = "sstest-" + Guid.NewGuid().ToString("N")[..20];
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = ns, Uid = uid, Attempt = 0 },
            LogDirectory = "",
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = $"/kubepods/besteffort/pod{uid}",
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Pod, Ipc = NamespaceMode.Pod },
                },
            },
        };
        foreach (var (key, value) in podLabels ?? new Dictionary<string, string>())
        {
            config.Labels[key] = value;
        }

        config.Labels[KubernetesLabels.Pod] = name;
        config.Labels[KubernetesLabels.Namespace] = ns;
        config.Labels[KubernetesLabels.PodUid] = uid;
        var response = await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config });
        return new Pod(response.PodSandboxId, config);
    }

    /// <summary>A container of <paramref name="pod"/> as kubelet creates it (attempt N is its Nth restart), then started.</summary>
    public async Task<string> StartContainerAsync(Pod pod, string name, uint attempt, string[] command, long memoryLimitBytes = 0, long cpuQuota = 0)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name, Attempt = attempt },
            Image = new ImageSpec { Image = OciImages.Busybox, UserSpecifiedImage = OciImages.Busybox },
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources { MemoryLimitInBytes = memoryLimitBytes, CpuQuota = cpuQuota, CpuPeriod = cpuQuota > 0 ? 100_000 : 0 },
                SecurityContext = new LinuxContainerSecurityContext
                {
                    NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Pod },
                },
            },
        };
        config.Command.AddRange(command);
        config.Labels[KubernetesLabels.Pod] = pod.Config.Metadata.Name;
        config.Labels[KubernetesLabels.Namespace] = pod.Config.Metadata.Namespace;
        config.Labels[KubernetesLabels.PodUid] = pod.Config.Metadata.Uid;
        config.Labels[KubernetesLabels.Container] = name;
        config.Annotations["io.kubernetes.container.restartCount"] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        config.Annotations["io.kubernetes.container.type"] = "container";
        config.Annotations["io.kubernetes.pod.terminationGracePeriod"] = "30";
        var created = await Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = pod.Id, Config = config, SandboxConfig = pod.Config });
        await Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = created.ContainerId });
        return created.ContainerId;
    }

    /// <summary>kubelet's stop: SIGTERM, SIGKILL after <paramref name="graceSeconds"/>.</summary>
    public async Task StopContainerAsync(string id, long graceSeconds = 0) =>
        await Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = graceSeconds });

    /// <summary>A pod's deletion as kubelet does it: each container stopped, then the sandbox (removed later: <see cref="RemovePodAsync"/>).</summary>
    public async Task DeletePodAsync(Pod pod, long graceSeconds = 0)
    {
        var containers = await Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = pod.Id } });
        foreach (var container in containers.Containers.Where(c => c.State == ContainerState.ContainerRunning))
        {
            await StopContainerAsync(container.Id, graceSeconds);
        }

        await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id });
    }

    /// <summary>Stops and removes the pod's sandbox and containers (what a test leaves), ignoring what is gone already.</summary>
    public async Task RemovePodAsync(Pod pod)
    {
        try
        {
            await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id });
            await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id });
        }
        catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
        }
    }

    public async Task<ContainerStatus> StatusAsync(string id) =>
        (await Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status;

    /// <summary>Waits until the attempt has exited (or the time is up), and answers its status.</summary>
    public async Task<ContainerStatus> WaitExitedAsync(string id, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var status = await StatusAsync(id);
            if (status.State == ContainerState.ContainerExited || DateTime.UtcNow > until)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _channel.Dispose();
}

/// <summary>A pod's sandbox id and the config it was made with (kubelet passes it again with each container).</summary>
public sealed record Pod(string Id, PodSandboxConfig Config)
{
    public string Namespace => Config.Metadata.Namespace;

    public string Name => Config.Metadata.Name;

    /// <summary>The report's name of one of its containers.</summary>
    public string RowOf(string container) => $"{Namespace}_{Name}_{container}";
}
