using System.Text.RegularExpressions;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary><c>--version</c> on both programs, as shipped: the version and the commit they were built from, then exit 0.</summary>
public sealed partial class VersionTests
{
    [Fact]
    public async Task Both_programs_print_their_version_and_commit()
    {
        var server = await ServerProcess.RunCommandAsync(["--version"]);
        Assert.Equal(0, server.ExitCode);
        Assert.Matches(Line("ss-server"), server.Output.Trim());

        var agent = AgentBinary.NativeBinary is { } native
            ? await Cli.RunAsync(native, ["--version"], null, 60)
            : await Cli.RunAsync("dotnet", [AgentBinary.DllPath, "--version"], null, 60);
        Assert.Equal(0, agent.ExitCode);
        Assert.Matches(Line("ss-agent"), agent.Output.Trim());
        // Built from this checkout: the commit is known.
        Assert.DoesNotContain("unknown", agent.Output, StringComparison.Ordinal);
    }

    private static Regex Line(string program) => new($"^{program} \\d+\\.\\d+\\.\\d+ \\(commit [0-9a-f]{{12}}\\)$");
}
