namespace StackScope.Agent.Engines;

/// <summary>
/// What differs between the engines that speak the Docker Engine API: Docker itself and Podman's compatible service
/// (<c>podman system service</c>). The calls, the JSON and the counters' formulas are the same; the wire name, where
/// the container's cgroup lies and the state words are not.
/// </summary>
internal sealed record EngineDialect(string EngineType, string DisplayName, IReadOnlyList<string> CgroupPathPatterns)
{
    /// <summary>dockerd's cgroup: the cgroupfs driver, then the systemd driver.</summary>
    public static readonly EngineDialect Docker = new(Contracts.EngineTypes.Docker, "Docker engine",
        ["docker/{id}", "system.slice/docker-{id}.scope"]);

    /// <summary>
    /// Podman's: the cgroupfs manager (<c>libpod_parent</c>), the systemd manager of rootful Podman
    /// (<c>machine.slice</c>), and rootless Podman's scope under its user's service (cgroup v2 only, with the
    /// container's processes in a <c>container</c> child beside conmon). <c>{uid}</c> is filled from the socket's path.
    /// </summary>
    public static readonly EngineDialect Podman = new(Contracts.EngineTypes.Podman, "Podman engine",
        ["libpod_parent/libpod-{id}", "machine.slice/libpod-{id}.scope",
         "user.slice/user-{uid}.slice/user@{uid}.service/user.slice/libpod-{id}.scope/container"]);

    public static EngineDialect For(string engineType) => engineType switch
    {
        Contracts.EngineTypes.Podman => Podman,
        _ => Docker,
    };

    /// <summary>
    /// The engine's state word in the documented set (created, running, paused, restarting, removing, exited, dead).
    /// Podman's compatible list already translates most of libpod's words; its inspect and older versions may not.
    /// </summary>
    public static string State(string? word) => (word ?? "").ToLowerInvariant() switch
    {
        "" => "unknown",
        "configured" or "initialized" => "created",
        "stopped" => "exited",
        "stopping" => "running", // still running until it has stopped, as Docker reports it
        var other => other,
    };

    /// <summary>The patterns for an engine reached at <paramref name="address"/>: a rootless socket names its user.</summary>
    public IReadOnlyList<string> PatternsFor(string address)
    {
        var uid = RootlessUid(address);
        return CgroupPathPatterns.Where(p => uid is not null || !p.Contains("{uid}", StringComparison.Ordinal))
            .Select(p => uid is null ? p : p.Replace("{uid}", uid, StringComparison.Ordinal)).ToList();
    }

    // unix:///run/user/1000/podman/podman.sock: the user's runtime directory.
    private static string? RootlessUid(string address)
    {
        const string prefix = "unix:///run/user/";
        if (!address.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = address[prefix.Length..];
        var end = rest.IndexOf('/', StringComparison.Ordinal);
        var uid = end > 0 ? rest[..end] : "";
        return uid.Length > 0 && uid.All(char.IsAsciiDigit) ? uid : null;
    }
}
