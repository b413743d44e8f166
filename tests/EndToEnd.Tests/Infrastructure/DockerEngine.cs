namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>The Docker Engine scripts/test.sh started (scripts/dockerd.sh), driven through the real docker CLI.</summary>
public static class DockerEngine
{
    public const string HostVariable = "SS_TEST_DOCKER_HOST";
    public const string Image = "ss-busybox:test";

    /// <summary>Missing, the Docker tests fail with the reason; they never skip.</summary>
    public static string Host =>
        Environment.GetEnvironmentVariable(HostVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{HostVariable} is not set: run the tests with scripts/test.sh, which installs and starts dockerd.");

    public static Dictionary<string, string> Environment_ => new() { ["DOCKER_HOST"] = Host };

    public static Task<string> RunAsync(params string[] args) => Cli.CheckedAsync("docker", args, Environment_, 120);
}
