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
}
