namespace StackScope.Agent.Engines.Cri;

/// <summary>A pod as the CRI runtime holds it (<c>runtime.v1.PodSandbox</c>): its labels are the pod's own, as kubelet copies them.</summary>
/// <remarks>The messages are plain classes, not records: a record's generated equality and printing cost the AOT binary code the agent never runs.</remarks>
internal sealed class CriSandbox(string id, string name, string ns, string uid, bool ready, long createdAt, IReadOnlyDictionary<string, string> labels)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    public string Namespace { get; } = ns;

    public string Uid { get; } = uid;

    public bool Ready { get; } = ready;

    public long CreatedAt { get; } = createdAt;

    public IReadOnlyDictionary<string, string> Labels { get; } = labels;
}

/// <summary>One attempt of one container of a pod (<c>runtime.v1.Container</c>); a restart is a new attempt with its own id.</summary>
internal sealed class CriContainer(
    string id, string sandboxId, string name, uint attempt, string image, CriState state, long createdAt, IReadOnlyDictionary<string, string> labels)
{
    public string Id { get; } = id;

    public string SandboxId { get; } = sandboxId;

    public string Name { get; } = name;

    public uint Attempt { get; } = attempt;

    public string Image { get; } = image;

    public CriState State { get; } = state;

    public long CreatedAt { get; } = createdAt;

    public IReadOnlyDictionary<string, string> Labels { get; } = labels;
}

/// <summary>
/// What <c>ContainerStatus</c> says of one attempt; times are the runtime's Unix nanoseconds (0 for never).
/// <see cref="Pid"/> and <see cref="CgroupsPath"/> come from the verbose info (containerd and CRI-O put the runtime spec there).
/// </summary>
internal sealed class CriStatus(string id, CriState state, long createdAt, long startedAt, long finishedAt, int exitCode, string reason, string image)
{
    public string Id { get; } = id;

    public CriState State { get; } = state;

    public long CreatedAt { get; } = createdAt;

    public long StartedAt { get; } = startedAt;

    public long FinishedAt { get; } = finishedAt;

    public int ExitCode { get; } = exitCode;

    public string Reason { get; } = reason;

    public string Image { get; } = image;

    public int Pid { get; init; }

    public string? CgroupsPath { get; init; }
}

/// <summary>A container's counters from <c>ListContainerStats</c>: the fallback where its cgroup files are not visible.</summary>
internal sealed class CriStats(string id, ulong? cpuNanos, ulong? workingSetBytes, ulong? availableBytes)
{
    public string Id { get; } = id;

    public ulong? CpuNanos { get; } = cpuNanos;

    public ulong? WorkingSetBytes { get; } = workingSetBytes;

    public ulong? AvailableBytes { get; } = availableBytes;
}

/// <summary><c>runtime.v1.ContainerState</c>.</summary>
internal enum CriState
{
    Created = 0,
    Running = 1,
    Exited = 2,
    Unknown = 3,
}

/// <summary>The CRI's state as the report words it (Docker's words, which the server, dashboard and rules know).</summary>
internal static class CriStates
{
    public static string Word(CriState state) => state switch
    {
        CriState.Created => "created",
        CriState.Running => "running",
        CriState.Exited => "exited",
        _ => "unknown",
    };
}
