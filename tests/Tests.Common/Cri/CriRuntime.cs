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

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test.sh, which starts containerd with its CRI plugin (scripts/cri.sh).");
}
