namespace StackScope.Agent.Engines.Cri;

/// <summary>How an attempt's end reads, once it can be told.</summary>
internal enum CriExit
{
    /// <summary>Ended by a signal while its pod still runs and nothing newer is listed yet: kubelet may be stopping the pod.</summary>
    Undecided,

    /// <summary>Ended on its own, crashed, or was killed by kubelet for a failing liveness probe: news.</summary>
    Ended,

    /// <summary>Stopped because its pod is being deleted, evicted or replaced in a rollout: what the operator asked for.</summary>
    Stopped,
}

/// <summary>
/// Tells an orchestrated stop from a failure without kubelet's help. Deleting a pod, kubelet stops each container
/// (SIGTERM, SIGKILL after the grace period: exit 143 or 137) and then the pod's sandbox, which turns NOTREADY; a
/// liveness kill ends the container the same way but keeps the sandbox and starts a new attempt. So an end by a signal
/// stays undecided until the sandbox stops (a stop: the report gets a <c>kill</c> before the <c>die</c>, as for
/// <c>docker stop</c>, and <c>exited_nonzero</c> stays quiet), a newer attempt appears (a failure), or
/// <see cref="Hold"/> passes (a failure: nothing stopped the pod).
/// </summary>
internal static class CriExits
{
    public const string OomReason = "OOMKilled";

    /// <summary>How long an end by a signal waits for its pod's sandbox to stop (kubelet stops it right after the containers).</summary>
    public const long Hold = 10_000_000_000L;

    public static CriExit Classify(CriStatus status, CriSandbox? sandbox, bool superseded, long nowNano)
    {
        if (status.State != CriState.Exited || status.Reason == OomReason || status.ExitCode is not (130 or 137 or 143))
        {
            return CriExit.Ended;
        }

        if (sandbox is null || !sandbox.Ready)
        {
            return CriExit.Stopped;
        }

        return superseded || nowNano - status.FinishedAt >= Hold ? CriExit.Ended : CriExit.Undecided;
    }
}
