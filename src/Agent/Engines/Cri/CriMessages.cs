namespace StackScope.Agent.Engines.Cri;

/// <summary>A pod as the CRI runtime holds it (<c>runtime.v1.PodSandbox</c>): its labels are the pod's own, as kubelet copies them.</summary>
internal sealed record CriSandbox(string Id, string Name, string Namespace, string Uid, bool Ready, long CreatedAt, IReadOnlyDictionary<string, string> Labels);

/// <summary>One attempt of one container of a pod (<c>runtime.v1.Container</c>); a restart is a new attempt with its own id.</summary>
internal sealed record CriContainer(
    string Id, string SandboxId, string Name, uint Attempt, string Image, CriState State, long CreatedAt, IReadOnlyDictionary<string, string> Labels)
{
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// What <c>ContainerStatus</c> says of one attempt; times are the runtime's Unix nanoseconds (0 for never).
/// <see cref="Pid"/> and <see cref="CgroupsPath"/> come from the verbose info (containerd and CRI-O put the runtime spec there).
/// </summary>
internal sealed record CriStatus(
    string Id, CriState State, long CreatedAt, long StartedAt, long FinishedAt, int ExitCode, string Reason, string Image, int Pid, string? CgroupsPath);

/// <summary>A container's counters from <c>ListContainerStats</c>: the fallback where its cgroup files are not visible.</summary>
internal sealed record CriStats(string Id, ulong? CpuNanos, ulong? WorkingSetBytes, ulong? AvailableBytes);

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
