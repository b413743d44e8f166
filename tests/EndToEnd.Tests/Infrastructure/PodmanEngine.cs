using System.Globalization;

namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The rootful Podman API service scripts/test.sh started (scripts/podman.sh: its own storage and containers.conf in a
/// folder), driven through the real podman CLI pointed at the same folder.
/// </summary>
public static class PodmanEngine
{
    public const string HostVariable = "SS_TEST_PODMAN_HOST";
    public const string DirVariable = "SS_TEST_PODMAN_DIR";
    public const string Image = "ss-busybox:test";

    /// <summary>Missing, the Podman tests fail with the reason; they never skip.</summary>
    public static string Host => Variable(HostVariable);

    /// <summary>The service's socket file (removed and put back by the engine-away test).</summary>
    public static string SocketPath => Host["unix://".Length..];

    public static Dictionary<string, string> Environment_ => new()
    {
        ["CONTAINERS_CONF"] = Path.Combine(Variable(DirVariable), "containers.conf"),
        ["CONTAINERS_STORAGE_CONF"] = Path.Combine(Variable(DirVariable), "storage.conf"),
    };

    public static Task<string> RunAsync(params string[] args) => Cli.CheckedAsync("podman", args, Environment_, 120);

    /// <summary>Stops the API service and removes its socket, as when Podman goes away; its containers run on (conmon keeps them).</summary>
    public static async Task StopServiceAsync()
    {
        await Cli.CheckedAsync("bash", [Script, "stop", Variable(DirVariable)], null, 60);
        File.Delete(SocketPath);
    }

    public static Task StartServiceAsync() => Cli.CheckedAsync("bash", [Script, "start", Variable(DirVariable)], null, 60);

    private static string Script => Path.Combine(StackScope.Tests.Common.MariaDb.RepositoryRoot, "scripts", "podman.sh");

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test.sh, which installs podman and starts its API service.");
}

/// <summary>One row of <c>podman stats --no-stream</c>: sizes in SI units (kB, MB, GB), as Podman prints them.</summary>
public sealed record PodmanStatsRow(string Name, double CpuPercent, double MemoryMiB)
{
    public const string Format = "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}";

    public static Dictionary<string, PodmanStatsRow> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|'))
            .Select(p => new PodmanStatsRow(p[0], double.Parse(p[1].TrimEnd('%'), CultureInfo.InvariantCulture), MiB(p[2].Split('/')[0].Trim())))
            .ToDictionary(r => r.Name);

    private static double MiB(string size)
    {
        var units = new (string Suffix, double Factor)[] { ("GB", 1e9), ("MB", 1e6), ("kB", 1e3), ("B", 1) };
        var (suffix, factor) = units.First(u => size.EndsWith(u.Suffix, StringComparison.Ordinal));
        return double.Parse(size[..^suffix.Length], CultureInfo.InvariantCulture) * factor / (1024 * 1024);
    }
}
