namespace StackScope.Contracts;

/// <summary>
/// The labels kubelet puts on every container it creates (pkg/kubelet/kuberuntime/labels.go), which the agent forwards
/// by default: the agent names a pod container's row by them, the server groups and filters by them.
/// </summary>
public static class KubernetesLabels
{
    public const string Namespace = "io.kubernetes.pod.namespace";
    public const string Pod = "io.kubernetes.pod.name";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string Container = "io.kubernetes.container.name";
}
