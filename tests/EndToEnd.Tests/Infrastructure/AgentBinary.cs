using StackScope.Agent;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>The real ss-agent program (its build output), run as its own process.</summary>
public static class AgentBinary
{
    /// <summary>
    /// The agent's own build output (same configuration as the tests): run from there so its dependencies
    /// resolve as they will for users, not through this test project's merged dependency set.
    /// </summary>
    public static string DllPath
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
            var path = Path.Combine(MariaDb.RepositoryRoot, "src", "Agent", "bin", configuration, "net10.0", Path.GetFileName(typeof(AgentOptions).Assembly.Location));
            return File.Exists(path) ? path : throw new FileNotFoundException("build the agent first (dotnet build StackScope.slnx)", path);
        }
    }

    /// <summary>
    /// The Native AOT binary scripts/test.sh publishes (SS_TEST_AGENT_BINARY): what users run, and light enough
    /// not to steal CPU from the containers it measures (a JIT-compiling start-up did, by 10-20 points).
    /// </summary>
    public static string? NativeBinary =>
        Environment.GetEnvironmentVariable("SS_TEST_AGENT_BINARY") is { Length: > 0 } path && File.Exists(path) ? path : null;

    /// <summary>Runs <c>ss-agent --once</c> against <paramref name="server"/> with a token it issued for <paramref name="agentId"/>.</summary>
    public static async Task<CliResult> OnceAsync(RunningServer server, string agentId, params string[] extra)
    {
        string[] args = ["--once", "--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:NodeName", agentId, .. extra];
        var environment = DockerEngine.Environment_;
        environment["SS_Agent__Token"] = await server.Credentials.AgentTokenAsync(agentId);
        return NativeBinary is { } native
            ? await Cli.RunAsync(native, args, environment, 120)
            : await Cli.RunAsync("dotnet", [DllPath, .. args], environment, 120);
    }
}

/// <summary>A long-running agent whose log lines are collected; stopped with SIGTERM like a service manager would.</summary>
public sealed partial class RunningAgent : IAsyncDisposable
{
    private readonly CapturedProcess _process;
    private bool _disposed;

    private RunningAgent(CapturedProcess process) => _process = process;

    public IReadOnlyList<string> Lines => _process.Lines;

    public bool HasExited => _process.HasExited;

    /// <summary>Each report the agent sampled (its Debug log line): sample time and container count, in order.</summary>
    public IReadOnlyList<(string Time, int Containers)> Sampled => Lines.Select(l => SampledLine().Match(l)).Where(m => m.Success)
        .Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();

    public static RunningAgent Start(params string[] args) => StartWith(null, args);

    /// <summary>
    /// Runs the agent (the Native AOT binary when scripts/test.sh published one) with extra environment
    /// variables (e.g. libfaketime's) and, if given, another Docker engine.
    /// </summary>
    public static RunningAgent StartWith(IDictionary<string, string>? environment, string[] args, string? dockerHost = null)
    {
        string[] command = AgentBinary.NativeBinary is { } native ? [native] : ["dotnet", AgentBinary.DllPath];
        var start = CapturedProcess.StartInfo(command[0], command.Skip(1).Concat(args));
        start.Environment["DOCKER_HOST"] = dockerHost ?? DockerEngine.Host;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        // The sampling log line (Debug) tells the test which reports were sampled.
        start.Environment["SS_Logging__LogLevel__StackScope.Agent.Sampling.SamplingWorker"] = "Debug";
        return new RunningAgent(new CapturedProcess(start));
    }

    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) => _process.WaitForLineAsync(match, timeout);

    public Task<int> StopAsync() => _process.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));

    /// <summary>Idempotent: a test that stopped the agent itself and failed before starting another disposes it again in its finally.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _process.KillAsync();
        _process.Dispose();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Sampled (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d): .* (\d+) containers")]
    private static partial System.Text.RegularExpressions.Regex SampledLine();
}
