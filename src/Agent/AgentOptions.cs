namespace StackScope.Agent;

/// <summary>Settings under "Agent" (appsettings.json, SS_Agent__* environment variables, --Agent:* arguments).</summary>
internal sealed class AgentOptions
{
    public const string SectionName = "Agent";

    public string ServerUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Defaults to the host name.</summary>
    public string AgentId { get; set; } = "";

    /// <summary>Defaults to the host name.</summary>
    public string NodeName { get; set; } = "";

    public int IntervalSeconds { get; set; } = 10;

    /// <summary>Defaults to DOCKER_HOST, else unix:///var/run/docker.sock.</summary>
    public string DockerHost { get; set; } = "";

    /// <summary>
    /// The engines to report, in order (<c>Agent:Engines:0:Type</c> docker|podman|containerd|cri-o, <c>Agent:Engines:0:Host</c>
    /// unix:// or tcp://; the CRI runtimes of a Kubernetes node by their unix socket only). Empty: Docker at
    /// <see cref="DockerHost"/>, and rootful Podman's socket when it exists.
    /// </summary>
    public List<EngineOptions> Engines { get; set; } = [];

    /// <summary>
    /// A loopback address and port (e.g. <c>127.0.0.1:9101</c>) where the agent serves its own metrics at <c>/metrics</c>;
    /// empty (the default) serves nothing.
    /// </summary>
    public string MetricsListen { get; set; } = "";

    /// <summary>Where undelivered reports wait, oldest first. Relative paths are under the working directory.</summary>
    public string SpoolPath { get; set; } = "spool";

    /// <summary>When the spool grows past this, the oldest reports are dropped (logged and counted).</summary>
    public long SpoolMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Reports older than this are dropped from the spool (logged and counted).</summary>
    public int SpoolMaxAgeHours { get; set; } = 72;

    /// <summary>The host's /proc; mount it into the agent's container and point here to watch the host.</summary>
    public string ProcRoot { get; set; } = "/proc";

    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Time budget of each collector call (the host's /proc, an engine's list, a container's stats); an engine's
    /// whole sample gets twice this. A collector past its budget is left out of that report, never the report.
    /// </summary>
    public int CollectorTimeoutSeconds { get; set; } = 5;

    /// <summary>The host's cgroup filesystem, read directly for container stats; empty to always use the Engine API.</summary>
    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>This agent's token from `ss-server agent add` (sent as Authorization: Bearer). Prefer <see cref="TokenFile"/>.</summary>
    public string Token { get; set; } = "";

    /// <summary>A file holding the token (first line), so it stays out of the process list and environment.</summary>
    public string TokenFile { get; set; } = "";

    /// <summary>PEM file of the CA(s) that signed the server's certificate, trusted instead of the system's roots.</summary>
    public string CaFile { get; set; } = "";

    /// <summary>
    /// The container labels sent with each container, comma-separated: an entry ending in '.' is a key prefix, any
    /// other a whole key. Alert rules scope by them; the rest stay on the host (compose's hashes and paths are long).
    /// </summary>
    public string ForwardLabels { get; set; } =
        "stackscope.,com.docker.compose.project,com.docker.compose.service,io.kubernetes.pod.namespace,io.kubernetes.pod.name,io.kubernetes.container.name";

    /// <summary>Rootful Podman's API socket (<c>podman.socket</c>, or <c>podman system service</c> without an address).</summary>
    public const string PodmanRootfulHost = "unix:///run/podman/podman.sock";

    /// <summary>The engines to watch: the configured list, or Docker and (when its socket exists) rootful Podman.</summary>
    public IReadOnlyList<EngineOptions> ResolveEngines(Func<string, bool> socketExists)
    {
        ArgumentNullException.ThrowIfNull(socketExists);
        if (Engines.Count > 0)
        {
            return Engines.Select(e => new EngineOptions
            {
                Type = e.Type.Trim().ToLowerInvariant(),
                Host = e.Host.Length > 0 ? e.Host : DefaultHost(e.Type.Trim().ToLowerInvariant()),
            }).ToList();
        }

        var engines = new List<EngineOptions> { new() { Type = Contracts.EngineTypes.Docker, Host = DockerHost } };
        if (DockerHost != PodmanRootfulHost && socketExists(PodmanRootfulHost["unix://".Length..]))
        {
            engines.Add(new EngineOptions { Type = Contracts.EngineTypes.Podman, Host = PodmanRootfulHost });
        }

        return engines;
    }

    private string DefaultHost(string type) => type == Contracts.EngineTypes.Podman ? PodmanRootfulHost
        : StackScope.Agent.Engines.Cri.CriDialect.For(type)?.DefaultHost ?? DockerHost;

    /// <summary>Fills the host-dependent defaults; call once after binding.</summary>
    public void ApplyDefaults(string hostName, string? dockerHostVariable)
    {
        if (string.IsNullOrWhiteSpace(AgentId))
        {
            AgentId = hostName;
        }

        if (string.IsNullOrWhiteSpace(NodeName))
        {
            NodeName = hostName;
        }

        if (string.IsNullOrWhiteSpace(DockerHost))
        {
            DockerHost = string.IsNullOrWhiteSpace(dockerHostVariable) ? "unix:///var/run/docker.sock" : dockerHostVariable;
        }
    }
}

/// <summary>One engine of <see cref="AgentOptions.Engines"/>.</summary>
internal sealed class EngineOptions
{
    /// <summary><c>docker</c>, <c>podman</c>, <c>containerd</c> or <c>cri-o</c>.</summary>
    public string Type { get; set; } = Contracts.EngineTypes.Docker;

    /// <summary>A unix:// or tcp:// address; empty for the type's usual socket.</summary>
    public string Host { get; set; } = "";
}
