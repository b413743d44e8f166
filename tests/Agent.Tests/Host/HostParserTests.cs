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
        Assert.Equal(196968UL + 71232 + 239110 + 6801 + 11797, times.Total);
        Assert.Equal(239110UL + 6801, times.IdleAll);
    }

    [Fact]
    public void ProcStat_counts_only_listed_cpus_and_takes_guest_out_of_the_total()
    {
        const string text = "cpu  100 10 50 800 40 0 5 3 20 2\ncpu0 50 5 25 400 20 0 2 1 10 1\ncpu2 50 5 25 400 20 0 3 2 10 1\nintr 1 2 3\nctxt 99\n";

        var (times, online) = ProcStatParser.Parse(text);

        Assert.Equal(2, online); // cpu1 is offline: not listed
        Assert.Equal(100UL + 10 + 50 + 800 + 40 + 0 + 5 + 3 - 20 - 2, times.Total);
    }

    [Fact]
    public void ProcStat_of_an_old_kernel_with_four_columns_parses()
    {
        var (times, online) = ProcStatParser.Parse("cpu 1 2 3 4\ncpu0 1 2 3 4\n");
        Assert.Equal(1, online);
        Assert.Equal(10UL, times.Total);
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
    public void MemInfo_without_MemAvailable_falls_back_to_free_buffers_cached()
    {
        var (total, available) = MemInfoParser.Parse("MemTotal: 2000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 350 kB\n");
        Assert.Equal(2000UL, total);
        Assert.Equal(500UL, available);
    }

    [Theory]
    // user nice system idle iowait irq softirq steal guest guest_nice
    [InlineData(new ulong[] { 100, 0, 100, 800, 0, 0, 0, 0, 0, 0 }, new ulong[] { 150, 0, 150, 900, 0, 0, 0, 0, 0, 0 }, 50.0)]
    [InlineData(new ulong[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new ulong[] { 0, 0, 0, 50, 50, 0, 0, 0, 0, 0 }, 0.0)] // iowait is idle
    [InlineData(new ulong[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new ulong[] { 100, 0, 0, 100, 0, 0, 0, 0, 100, 0 }, 0.0)] // all user time was guest
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
