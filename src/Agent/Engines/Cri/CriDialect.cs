namespace StackScope.Agent.Engines.Cri;

/// <summary>The CRI runtimes the agent reads: the wire's engine type, the name in log lines and where the socket usually is.</summary>
internal sealed record CriDialect(string EngineType, string DisplayName, string DefaultHost)
{
    /// <summary>containerd's CRI plugin (k3s: unix:///run/k3s/containerd/containerd.sock).</summary>
    public static readonly CriDialect Containerd = new(Contracts.EngineTypes.Containerd, "containerd (CRI)", "unix:///run/containerd/containerd.sock");

    public static readonly CriDialect CriO = new(Contracts.EngineTypes.CriO, "CRI-O", "unix:///var/run/crio/crio.sock");

    /// <summary>The dialect of a CRI engine type; null for the engines that speak the Docker Engine API.</summary>
    public static CriDialect? For(string engineType) => engineType switch
    {
        Contracts.EngineTypes.Containerd => Containerd,
        Contracts.EngineTypes.CriO => CriO,
        _ => null,
    };
}
