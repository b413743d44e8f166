namespace StackScope.Agent.Engines.Cri;

/// <summary>
/// One listing of a CRI runtime (its pods and every attempt of every container) seen as the report's rows: one row per
/// pod container, its newest attempt, named <c>namespace_pod_container</c>. Kubernetes names are DNS labels and
/// subdomains, which never hold '_', so the name splits back unambiguously (dockershim named its containers the same
/// way, with the volatile UID and attempt added).
/// </summary>
internal sealed class CriListing
{
    private readonly Dictionary<string, CriSandbox> _sandboxes;
    private readonly Dictionary<string, string> _rowNames = new(StringComparer.Ordinal);

    public CriListing(IReadOnlyList<CriSandbox> sandboxes, IReadOnlyList<CriContainer> containers)
    {
        _sandboxes = sandboxes.GroupBy(s => s.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        Containers = containers;
        // The newest attempt of each row: a pod deleted and made again under the same name (a new UID, a new sandbox)
        // replaces the old one's row too.
        var newest = new Dictionary<string, CriContainer>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            var row = _rowNames[container.Id] = NameOf(container);
            if (!newest.TryGetValue(row, out var known) || Newer(container, known))
            {
                newest[row] = container;
            }
        }

        Rows = [.. newest.Values];
        Newest = Rows.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
    }

    // The younger pod first, then the higher attempt, then the later creation.
    private bool Newer(CriContainer a, CriContainer b)
    {
        var (podA, podB) = (SandboxOf(a)?.CreatedAt ?? 0, SandboxOf(b)?.CreatedAt ?? 0);
        return podA != podB ? podA > podB : a.Attempt != b.Attempt ? a.Attempt > b.Attempt : a.CreatedAt > b.CreatedAt;
    }

    /// <summary>Every attempt listed.</summary>
    public IReadOnlyList<CriContainer> Containers { get; }

    /// <summary>The newest attempt of each pod container.</summary>
    public IReadOnlyList<CriContainer> Rows { get; }

    private HashSet<string> Newest { get; }

    public CriSandbox? SandboxOf(CriContainer container) => _sandboxes.GetValueOrDefault(container.SandboxId);

    /// <summary>Whether a newer attempt of the same pod container is listed (kubelet restarted it).</summary>
    public bool Superseded(CriContainer container) => !Newest.Contains(container.Id);

    /// <summary>The report's name of the attempt's row (made once per listing).</summary>
    public string RowName(CriContainer container) => _rowNames.TryGetValue(container.Id, out var name) ? name : NameOf(container);

    private string NameOf(CriContainer container)
    {
        var sandbox = SandboxOf(container);
        var ns = sandbox?.Namespace is { Length: > 0 } n ? n : container.Labels.GetValueOrDefault(Contracts.KubernetesLabels.Namespace, "");
        var pod = sandbox?.Name is { Length: > 0 } p ? p : container.Labels.GetValueOrDefault(Contracts.KubernetesLabels.Pod, "");
        var name = container.Labels.GetValueOrDefault(Contracts.KubernetesLabels.Container) is { Length: > 0 } c ? c : container.Name;
        return ns.Length > 0 && pod.Length > 0 ? $"{ns}_{pod}_{name}" : name.Length > 0 ? name : container.Id[..Math.Min(12, container.Id.Length)];
    }

    /// <summary>The pod's labels (kubelet copies them onto its sandbox) with the container's own (kubelet's four keys) over them.</summary>
    public IReadOnlyDictionary<string, string> LabelsOf(CriContainer container)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in SandboxOf(container)?.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        foreach (var (key, value) in container.Labels)
        {
            labels[key] = value;
        }

        return labels;
    }
}
