using StackScope.Agent.Host;

namespace StackScope.Agent.Tests;

public class HostExtrasTests
{
    [Fact]
    public void Load_average_and_uptime_read_as_os_getloadavg_and_proc_uptime()
    {
        Assert.Equal((0.52, 1.5, 12.25), HostExtrasParser.LoadAverage("0.52 1.50 12.25 3/412 98765\n"));
        Assert.Equal(8127, HostExtrasParser.UptimeSeconds("8127.93 15530.20\n"));
        Assert.Throws<FormatException>(() => HostExtrasParser.LoadAverage("0.5\n"));
    }

    [Fact]
    public void Swap_is_total_and_total_less_free_as_free_shows_it()
    {
        const string meminfo = "MemTotal: 2000 kB\nMemAvailable: 1000 kB\nSwapTotal:  1048572 kB\nSwapFree:  1038332 kB\n";
        Assert.Equal((1048572UL, 10240UL), MemInfoParser.Swap(meminfo));
        Assert.Equal((0UL, 0UL), MemInfoParser.Swap("MemTotal: 2000 kB\n"));
    }

    [Fact]
    public void Network_sums_every_interface_but_loopback()
    {
        const string dev =
            "Inter-|   Receive                                                |  Transmit\n" +
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
            "    lo: 987654321 1000 0 0 0 0 0 0 987654321 1000 0 0 0 0 0 0\n" +
            "  ens3: 628142333 512 0 0 0 0 0 0  1048945  300 0 0 0 0 0 0\n" +
            "docker0:     100    1 0 0 0 0 0 0      200    2 0 0 0 0 0 0\n";
        Assert.Equal((628142433L, 1049145L), NetDevParser.Parse(dev));
    }

    [Fact]
    public void File_systems_leave_out_what_node_exporter_leaves_out_by_default()
    {
        const string mounts =
            "/dev/vda / ext4 rw,relatime 0 0\n" +
            "proc /proc proc rw,nosuid 0 0\n" +
            "sysfs /sys sysfs rw 0 0\n" +
            "devtmpfs /dev devtmpfs rw 0 0\n" +
            "tmpfs /dev/shm tmpfs rw 0 0\n" +
            "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n" +
            "tmpfs /run tmpfs rw 0 0\n" +
            "tmpfs /run/credentials/systemd-journald.service tmpfs ro 0 0\n" +
            "/dev/vdb1 /srv/my\\040data xfs rw 0 0\n" +
            "overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0\n" +
            "nsfs /run/docker/netns/1 nsfs rw 0 0\n" +
            "/dev/vda /var/lib/docker ext4 rw 0 0\n" +
            "/dev/loop0 /snap/core/1 squashfs ro 0 0\n" +
            "/dev/vdc /srv/my\\040data ext4 rw 0 0\n";

        var kept = FileSystemCollector.RealMounts(mounts);

        Assert.Equal(
            [("/", "ext4"), ("/run", "tmpfs"), ("/srv/my data", "ext4"), ("/var/lib/docker", "ext4")],
            kept);
    }

    [Fact]
    public void File_systems_of_this_machine_have_sizes_as_df_counts_them()
    {
        var root = new FileSystemCollector("/proc").Collect().Single(f => f.MountPoint == "/");
        var drive = new DriveInfo("/");
        Assert.Equal(drive.TotalSize, root.TotalBytes);
        Assert.InRange(root.UsedBytes, 1, root.TotalBytes);
    }
}
