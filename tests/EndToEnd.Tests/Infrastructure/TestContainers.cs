namespace StackScope.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Real containers from the local busybox image, one per kind of load, named with a per-run prefix and
/// removed when the tests end. No network: the engine runs without a bridge.
/// </summary>
public sealed class TestContainers : IAsyncLifetime
{
    public string Prefix { get; } = "sst-" + Guid.NewGuid().ToString("N")[..6] + "-";

    public string Idle => Prefix + "idle";
    public string Busy => Prefix + "busy";
    public string Limited => Prefix + "limited";
    public string MemoryHog => Prefix + "memhog";
    public string Exited => Prefix + "exited";
    public string Paused => Prefix + "paused";

    public async Task InitializeAsync()
    {
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", Idle, DockerEngine.Image, "sleep", "3600");
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", Busy, DockerEngine.Image, "sh", "-c", "while :; do :; done");
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--cpus", "0.5", "--name", Limited, DockerEngine.Image, "sh", "-c", "while :; do :; done");
        // ~50 MiB held in /dev/shm: charged to the container's memory, not reclaimable file cache.
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--memory", "128m", "--name", MemoryHog, DockerEngine.Image,
            "sh", "-c", "dd if=/dev/zero of=/dev/shm/hog bs=1M count=50 2>/dev/null; sleep 3600");
        await DockerEngine.RunAsync("run", "--network", "none", "--name", Exited, DockerEngine.Image, "true");
        await DockerEngine.RunAsync("run", "-d", "--network", "none", "--name", Paused, DockerEngine.Image, "sleep", "3600");
        await DockerEngine.RunAsync("pause", Paused);
        // Let the loops settle into their steady share of the CPU.
        await Task.Delay(TimeSpan.FromSeconds(3));
    }

    public async Task DisposeAsync()
    {
        try
        {
            await DockerEngine.RunAsync("unpause", Paused);
        }
        catch (InvalidOperationException)
        {
            // not paused any more
        }

        var ids = (await DockerEngine.RunAsync("ps", "-aq", "--filter", "name=" + Prefix)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0)
        {
            await DockerEngine.RunAsync(["rm", "-f", .. ids]);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DockerTestGroup : ICollectionFixture<TestContainers>
{
    public const string Name = "docker";
}
