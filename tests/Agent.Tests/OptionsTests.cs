namespace StackScope.Agent.Tests;

public class OptionsTests
{
    [Fact]
    public void Defaults_come_from_the_host_name_and_DOCKER_HOST()
    {
        var options = new AgentOptions();
        options.ApplyDefaults("web-01", "unix:///run/user/docker.sock");

        Assert.Equal("web-01", options.AgentId);
        Assert.Equal("web-01", options.NodeName);
        Assert.Equal("unix:///run/user/docker.sock", options.DockerHost);
        Assert.Equal(10, options.IntervalSeconds);
        Assert.Equal("http://127.0.0.1:5080", options.ServerUrl);
        Assert.Empty(AgentOptionsValidator.Validate(options));
    }

    [Fact]
    public void Without_DOCKER_HOST_the_standard_socket_is_used()
    {
        var options = new AgentOptions();
        options.ApplyDefaults("h", null);
        Assert.Equal("unix:///var/run/docker.sock", options.DockerHost);
    }

    [Theory]
    [InlineData("ServerUrl", "ftp://x", "Agent:ServerUrl")]
    [InlineData("AgentId", "has space", "Agent:AgentId")]
    [InlineData("IntervalSeconds", "0", "Agent:IntervalSeconds")]
    [InlineData("DockerHost", "/var/run/docker.sock", "Agent:DockerHost")]
    [InlineData("ProcRoot", "/nonexistent", "Agent:ProcRoot")]
    [InlineData("SpoolMaxBytes", "10", "Agent:SpoolMaxBytes")]
    [InlineData("TokenFile", "/nonexistent/token", "Agent:TokenFile")]
    [InlineData("CaFile", "/nonexistent/ca.pem", "Agent:CaFile")]
    public void Each_invalid_setting_is_named(string key, string value, string expected)
    {
        var options = new AgentOptions();
        options.ApplyDefaults("h", null);
        switch (key)
        {
            case "ServerUrl": options.ServerUrl = value; break;
            case "AgentId": options.AgentId = value; break;
            case "IntervalSeconds": options.IntervalSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "DockerHost": options.DockerHost = value; break;
            case "ProcRoot": options.ProcRoot = value; break;
            case "SpoolMaxBytes": options.SpoolMaxBytes = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "TokenFile": options.TokenFile = value; break;
            case "CaFile": options.CaFile = value; break;
        }

        var error = Assert.Single(AgentOptionsValidator.Validate(options));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_token_comes_from_the_setting_or_the_first_line_of_the_file_but_not_both()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "ssa_0123456789ab_secret\nsecond line\n");
            var fromFile = new AgentOptions { TokenFile = file };
            fromFile.ApplyDefaults("h", null);
            Assert.Empty(AgentOptionsValidator.Validate(fromFile));
            Assert.Equal("ssa_0123456789ab_secret", StackScope.Agent.Delivery.ServerConnection.ReadToken(fromFile));

            var inline = new AgentOptions { Token = " ssa_x_y " };
            Assert.Equal("ssa_x_y", StackScope.Agent.Delivery.ServerConnection.ReadToken(inline));
            Assert.Equal("Bearer ssa_x_y", StackScope.Agent.Delivery.ServerConnection.Create(inline).DefaultRequestHeaders.Authorization?.ToString());

            var both = new AgentOptions { Token = "a", TokenFile = file };
            both.ApplyDefaults("h", null);
            Assert.Contains(AgentOptionsValidator.Validate(both), e => e.Contains("both set", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Agent_and_server_never_reference_each_other()
    {
        var agent = typeof(AgentOptions).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("StackScope.Contracts", agent);
        Assert.DoesNotContain("ss-server", agent);
        Assert.DoesNotContain(agent, name => name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_an_engine_list_docker_is_watched_and_rootful_podman_is_added_when_its_socket_exists()
    {
        var options = new AgentOptions();
        options.ApplyDefaults("h", null);

        Assert.Equal([("docker", "unix:///var/run/docker.sock")], options.ResolveEngines(_ => false).Select(e => (e.Type, e.Host)));
        Assert.Equal([("docker", "unix:///var/run/docker.sock"), ("podman", "unix:///run/podman/podman.sock")],
            options.ResolveEngines(path => path == "/run/podman/podman.sock").Select(e => (e.Type, e.Host)));
    }

    [Fact]
    public void A_configured_engine_list_is_taken_as_given_and_checked()
    {
        var options = new AgentOptions
        {
            Engines = [new() { Type = "Podman", Host = "unix:///run/user/1000/podman/podman.sock" }, new() { Type = "docker" }],
        };
        options.ApplyDefaults("h", null);
        Assert.Equal([("podman", "unix:///run/user/1000/podman/podman.sock"), ("docker", "unix:///var/run/docker.sock")],
            options.ResolveEngines(_ => true).Select(e => (e.Type, e.Host)));
        Assert.Empty(AgentOptionsValidator.Validate(options));

        options.Engines = [new() { Type = "rkt", Host = "/run/rkt.sock" }, new() { Type = "podman" }, new() { Type = "podman" }];
        var errors = AgentOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.StartsWith("Agent:Engines:0:Type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Engines:0:Host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unix:///run/podman/podman.sock more than once", StringComparison.Ordinal));
    }

    [Fact]
    public void Kubernetes_runtimes_by_their_usual_sockets_and_only_by_a_unix_socket()
    {
        var options = new AgentOptions { Engines = [new() { Type = "containerd" }, new() { Type = "CRI-O" }, new() { Type = "docker" }] };
        options.ApplyDefaults("node-1", null);
        Assert.Equal([("containerd", "unix:///run/containerd/containerd.sock"), ("cri-o", "unix:///var/run/crio/crio.sock"), ("docker", "unix:///var/run/docker.sock")],
            options.ResolveEngines(_ => false).Select(e => (e.Type, e.Host)));
        Assert.Empty(AgentOptionsValidator.Validate(options));
        Assert.Contains("io.kubernetes.pod.namespace", options.ForwardLabels, StringComparison.Ordinal);

        options.Engines = [new() { Type = "containerd", Host = "tcp://10.0.0.1:1234" }];
        Assert.Contains(AgentOptionsValidator.Validate(options), e => e.StartsWith("Agent:Engines:0:Host of a CRI runtime must start with unix://", StringComparison.Ordinal));
    }

    [Fact]
    public void Podmans_state_words_map_to_the_documented_set_and_a_rootless_socket_names_its_users_cgroup()
    {
        Assert.Equal(["created", "created", "exited", "running", "exited", "paused", "unknown"],
            new[] { "configured", "initialized", "stopped", "stopping", "exited", "paused", "" }.Select(w => StackScope.Agent.Engines.EngineDialect.State(w)));
        Assert.Equal(["libpod_parent/libpod-{id}", "machine.slice/libpod-{id}.scope"], StackScope.Agent.Engines.EngineDialect.Podman.PatternsFor("unix:///run/podman/podman.sock"));
        Assert.Contains("user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{id}.scope/container",
            StackScope.Agent.Engines.EngineDialect.Podman.PatternsFor("unix:///run/user/1000/podman/podman.sock"));
    }
}
