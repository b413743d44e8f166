using StackScope.Agent.Host;

namespace StackScope.Agent.Tests;

public class HostParserTests
{
    [Fact]
    public void ProcStat_fixture_gives_aggregate_times_and_online_cpus()
    {
        // Captured from a 2-CPU Debian 12 VM: "cpu  196968 0 71232 239110 6801 0 11797 0 0 0".
        var (times, online) = ProcStatParser.Parse(Fixture.Text("proc", "stat"));

        Assert.Equal(2, online);
        Assert.Equal(new CpuTimes(196968, 0, 71232, 239110, 6801, 0, 11797, 0, 0, 0), times);
    }

    [Fact]
    public void ProcStat_counts_only_listed_cpus_and_reads_all_ten_fields()
    {
        const string text = "cpu  100 10 50 800 40 0 5 3 20 2\ncpu0 50 5 25 400 20 0 2 1 10 1\ncpu2 50 5 25 400 20 0 3 2 10 1\nintr 1 2 3\nctxt 99\n";

        var (times, online) = ProcStatParser.Parse(text);

        Assert.Equal(2, online); // cpu1 is offline: not listed
        Assert.Equal(new CpuTimes(100, 10, 50, 800, 40, 0, 5, 3, 20, 2), times);
    }

    [Fact]
    public void ProcStat_of_an_old_kernel_with_four_columns_parses()
    {
        var (times, online) = ProcStatParser.Parse("cpu 1 2 3 4\ncpu0 1 2 3 4\n");
        Assert.Equal(1, online);
        Assert.Equal(new CpuTimes(1, 2, 3, 4, 0, 0, 0, 0, 0, 0), times);
    }

    [Fact]
    public void ProcStat_without_cpu_line_is_a_format_error() =>
        Assert.Throws<FormatException>(() => ProcStatParser.Parse("intr 1\n"));

    [Fact]
    public void MemInfo_fixture_gives_total_and_available()
    {
        var (total, available) = MemInfoParser.Parse(Fixture.Text("proc", "meminfo"));

        Assert.Equal(24683620UL, total);
        Assert.Equal(24154728UL, available);
    }

    [Fact]
    public void MemInfo_without_MemAvailable_nor_zone_figures_falls_back_to_free_and_cached_like_psutil()
    {
        var (total, available) = MemInfoParser.Parse("MemTotal: 2000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 350 kB\n");
        Assert.Equal(2000UL, total);
        Assert.Equal(450UL, available); // psutil: free + cached (buffers are not counted)
    }

    [Fact]
    public void MemInfo_without_MemAvailable_is_estimated_from_the_zones_low_watermarks()
    {
        const string meminfo = "MemTotal: 4000 kB\nMemFree: 1000 kB\nCached: 700 kB\nActive(file): 400 kB\nInactive(file): 200 kB\nSReclaimable: 100 kB\n";
        const string zoneinfo = "Node 0, zone      DMA\n  pages free     3977\n        min      10\n        low      10\n        high     15\n" +
            "Node 0, zone   Normal\n  pages free     1000\n        min      12\n        low      15\n        high     18\n";

        // low = 25 pages of 4 KiB = 100 kB; free - low + (page cache - min(half, low)) + (slab - min(half, low)).
        var (_, available) = MemInfoParser.Parse(meminfo, zoneinfo, pageKiB: 4);

        Assert.Equal(1000UL - 100 + (600 - 100) + (100 - 50), available);
    }

    [Fact]
    public void A_negative_estimate_is_none_available_and_low_lines_are_read_whatever_their_spacing()
    {
        // Tabs after "low", as psutil's split() reads them: 600 pages of 4 KiB = 2400 kB outweigh what is free and cached.
        const string meminfo = "MemTotal: 4000 kB\nMemFree: 500 kB\nCached: 700 kB\nActive(file): 400 kB\nInactive(file): 200 kB\nSReclaimable: 100 kB\n";
        const string zoneinfo = "Node 0, zone   Normal\n  pages free     100\n\tmin\t400\n\tlow\t600\n\thigh\t800\n";
        Assert.Equal(0UL, MemInfoParser.Parse(meminfo, zoneinfo, pageKiB: 4).AvailableKiB);
    }

    [Fact]
    public void A_MemAvailable_of_zero_is_estimated_as_psutil_and_free_do()
    {
        const string meminfo = "MemTotal: 2000 kB\nMemFree: 400 kB\nMemAvailable: 0 kB\nCached: 350 kB\n";
        var zoneRead = false;
        MemInfoParser.Parse("MemTotal: 2000 kB\nMemAvailable: 10 kB\n", () => { zoneRead = true; return null; }, 4);
        Assert.False(zoneRead); // a real MemAvailable needs no zone figures
        MemInfoParser.Parse(meminfo, () => { zoneRead = true; return null; }, 4);
        Assert.True(zoneRead);
        Assert.Equal(750UL, MemInfoParser.Parse(meminfo).AvailableKiB); // no zone figures: free + cached, 62.5 % used
    }

    [Fact]
    public void MemAvailable_above_MemTotal_inside_LXC_takes_MemFree_instead()
    {
        // LXCFS shows the container's MemTotal but the host's MemAvailable; the agent used to report 0 % used.
        var (total, available) = MemInfoParser.Parse("MemTotal: 2000 kB\nMemFree: 1500 kB\nMemAvailable: 64000000 kB\n");
        Assert.Equal((2000UL, 1500UL), (total, available));
    }

    [Theory]
    // user nice system idle iowait irq softirq steal guest guest_nice
    [InlineData(new ulong[] { 100, 0, 100, 800, 0, 0, 0, 0, 0, 0 }, new ulong[] { 150, 0, 150, 900, 0, 0, 0, 0, 0, 0 }, 50.0)]
    [InlineData(new ulong[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new ulong[] { 0, 0, 0, 50, 50, 0, 0, 0, 0, 0 }, 0.0)] // iowait is idle
    [InlineData(new ulong[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new ulong[] { 100, 0, 0, 100, 0, 0, 0, 0, 100, 0 }, 50.0)] // guest time is busy, inside user
    [InlineData(new ulong[] { 1000, 100, 500, 5000, 50, 10, 40, 0, 300, 50 }, new ulong[] { 1600, 180, 700, 5500, 60, 12, 48, 0, 700, 110 }, 63.57)] // a host running VMs
    [InlineData(new ulong[] { 100, 0, 0, 100, 0, 0, 0, 100, 0, 0 }, new ulong[] { 150, 0, 0, 150, 0, 0, 0, 50, 0, 0 }, 50.0)] // steal stepped back: clamped, not fatal
    [InlineData(new ulong[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new ulong[] { 1, 0, 0, 799, 0, 0, 0, 0, 0, 0 }, 0.12)] // 0.125: half to even, as "%.2f"
    [InlineData(new ulong[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new ulong[] { 30, 0, 0, 60, 0, 0, 0, 10, 0, 0 }, 40.0)] // steal is busy
    [InlineData(new ulong[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new ulong[] { 1, 0, 0, 2, 0, 0, 0, 0, 0, 0 }, 33.33)]
    public void HostCpu_follows_psutil(ulong[] before, ulong[] after, double expected) =>
        Assert.Equal(expected, HostCpuCalculator.Percent(Times(before), Times(after)));

    [Fact]
    public void HostCpu_counter_going_backwards_gives_no_value() =>
        Assert.Null(HostCpuCalculator.Percent(Times([500, 0, 0, 500, 0, 0, 0, 0, 0, 0]), Times([10, 0, 0, 10, 0, 0, 0, 0, 0, 0])));

    [Fact]
    public void HostCollector_reports_cpu_over_the_interval_and_whole_MiB_memory()
    {
        var root = Directory.CreateTempSubdirectory("ss-proc-").FullName;
        File.WriteAllText(Path.Combine(root, "meminfo"), "MemTotal:        2003968 kB\nMemAvailable:    1421312 kB\n");
        File.WriteAllText(Path.Combine(root, "stat"), "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0 0 0\n");
        var collector = new HostCollector(root);
        collector.Prime();
        File.WriteAllText(Path.Combine(root, "stat"), "cpu  175 0 100 825 0 0 0 0 0 0\ncpu0 175 0 100 825 0 0 0 0 0 0\n");

        var sample = collector.Sample();

        Assert.Equal(1, sample.CpuCount);
        Assert.Equal(75.0, sample.CpuPercent);
        Assert.Equal(1957.0, sample.MemoryTotalMiB); // 2003968 kB = 1957 MiB
        Assert.Equal(569.0, sample.MemoryUsedMiB);   // 582656 kB
        Assert.Equal(29.08, sample.MemoryPercent);
        Directory.Delete(root, recursive: true);
    }

    private static CpuTimes Times(ulong[] v) => new(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
}
