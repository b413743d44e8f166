using System.Diagnostics;
using StackScope.Agent.Host;

namespace StackScope.Agent.Tests.Host;

public sealed class MountTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ss-mounts-").FullName;

    [Fact]
    public void A_file_the_kernel_never_flags_is_parsed_once_within_its_age()
    {
        var path = Path.Combine(_dir, "mounts");
        File.WriteAllText(path, "/dev/vda / ext4 rw 0 0\n");
        using var table = new MountTable(path);
        var parses = 0;
        object Parse(string text)
        {
            parses++;
            return text;
        }

        var first = table.Read(Parse);
        var second = table.Read(Parse);

        Assert.Same(first, second);
        Assert.Equal(1, parses);
    }

    // The tests run as root (the test command starts dockerd): a tmpfs mounted here is a real change of the mount table.
    [Fact]
    public void A_mount_and_its_unmount_are_seen_at_the_next_collect_not_after_the_age()
    {
        using var collector = new FileSystemCollector("/proc");
        Assert.DoesNotContain(collector.Collect(), f => f.MountPoint == _dir);

        Run("mount", "-t", "tmpfs", "-o", "size=1m", "sst-mount-test", _dir);
        try
        {
            var mounted = collector.Collect().Single(f => f.MountPoint == _dir);
            Assert.Equal("tmpfs", mounted.FsType);
            Assert.Equal(1024 * 1024, mounted.TotalBytes);
        }
        finally
        {
            Run("umount", _dir);
        }

        Assert.DoesNotContain(collector.Collect(), f => f.MountPoint == _dir);
    }

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {error}");
    }
}
