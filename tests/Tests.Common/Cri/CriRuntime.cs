namespace StackScope.Tests.Common.Cri;

/// <summary>
/// The private containerd with its CRI plugin that scripts/test.sh starts (scripts/cri.sh): where it listens, and its
/// images made and imported on first use.
/// </summary>
public static class CriRuntime
{
    public const string HostVariable = "SS_TEST_CRI_HOST";
    public const string DirVariable = "SS_TEST_CRI_DIR";

    /// <summary>Missing, the CRI tests fail with the reason; they never skip.</summary>
    public static string Host => Variable(HostVariable);

    public static string SocketPath => Host["unix://".Length..];

    public static string Dir => Variable(DirVariable);

    /// <summary>A fake kubelet on the runtime, its images imported.</summary>
    public static async Task<FakeKubelet> KubeletAsync()
    {
        await OciImages.EnsureAsync(Host);
        return new FakeKubelet(Host);
    }

    /// <summary>Kills containerd (SIGKILL), as a crash would: its socket stays, refusing connections; the pods' shims run on.</summary>
    public static async Task KillAsync()
    {
        var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(Dir, "containerd.pid")), System.Globalization.CultureInfo.InvariantCulture);
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>Starts containerd again if it is not running (scripts/cri.sh start); it takes its pods back from their shims.</summary>
    public static async Task StartAsync()
    {
        using var script = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(MariaDb.RepositoryRoot, "scripts", "cri.sh"), "start", Dir },
            RedirectStandardOutput = true,
        })!;
        await script.StandardOutput.ReadToEndAsync();
        await script.WaitForExitAsync();
        if (script.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/cri.sh start {Dir} failed ({script.ExitCode}); see {Dir}/containerd.log");
        }
    }

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test.sh, which starts containerd with its CRI plugin (scripts/cri.sh).");
}
