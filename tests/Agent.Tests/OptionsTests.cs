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
        }

        var error = Assert.Single(AgentOptionsValidator.Validate(options));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Agent_and_server_never_reference_each_other()
    {
        var agent = typeof(AgentOptions).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("StackScope.Contracts", agent);
        Assert.DoesNotContain("ss-server", agent);
        Assert.DoesNotContain(agent, name => name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
