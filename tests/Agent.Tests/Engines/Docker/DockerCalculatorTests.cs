using System.Text.Json;
using StackScope.Agent.Engines;
using StackScope.Agent.Engines.Docker;
using StackScope.Agent.Sampling;

namespace StackScope.Agent.Tests;

public class DockerCalculatorTests
{
    private const ulong HostBytes = 2048UL * 1024 * 1024;

    [Fact]
    public void Cpu_is_container_delta_over_system_delta_times_cpus()
    {
        // 2 CPUs, system advanced 2 s of CPU time (1 s wall), the container used 0.5 s: 50 % of one core.
        var before = new CpuSnapshot(1_000_000_000, 10_000_000_000, 2);
        var after = new CpuSnapshot(1_500_000_000, 12_000_000_000, 2);
        Assert.Equal(50.0, ContainerCpuCalculator.Percent(before, after));
    }

    [Fact]
    public void Cpu_exceeds_100_when_busy_on_several_cores()
    {
        // 4 CPUs for 1 s (4 s system time); the container used 3 s: three cores busy.
        var before = new CpuSnapshot(0, 100_000_000_000, 4);
        var after = new CpuSnapshot(3_000_000_000, 104_000_000_000, 4);
        Assert.Equal(300.0, ContainerCpuCalculator.Percent(before, after));
    }

    [Fact]
    public void Cpu_counter_reset_by_a_restart_gives_no_value() =>
        Assert.Null(ContainerCpuCalculator.Percent(new CpuSnapshot(9_000_000_000, 10, 2), new CpuSnapshot(1_000, 20, 2)));

    [Fact]
    public void Cpu_without_system_progress_gives_no_value() =>
        Assert.Null(ContainerCpuCalculator.Percent(new CpuSnapshot(1, 10, 2), new CpuSnapshot(2, 10, 2)));

    [Fact]
    public void Cgroup_v1_usage_less_total_inactive_file()
    {
        var memory = MemoryCounters.FromStat(60 * 1048576UL, HostBytes, new Dictionary<string, ulong>
        {
            ["total_inactive_file"] = 10 * 1048576UL,
            ["inactive_file"] = 4 * 1048576UL,
        });

        var (usage, percent) = ContainerMemoryCalculator.Calculate(memory, HostBytes);

        Assert.Equal(50.0, usage);
        Assert.Equal(2.44, percent); // 50 / 2048
    }

    [Fact]
    public void Cgroup_v2_usage_less_inactive_file()
    {
        var memory = MemoryCounters.FromStat(60 * 1048576UL, HostBytes, new Dictionary<string, ulong> { ["inactive_file"] = 4 * 1048576UL });
        Assert.Equal(56.0, ContainerMemoryCalculator.Calculate(memory, HostBytes).UsageMiB);
    }

    [Fact]
    public void A_total_inactive_file_not_below_usage_falls_through_to_inactive_file_as_the_cli_does()
    {
        // stats_helpers.go: total_inactive_file only when below the usage, then inactive_file when below it, else nothing.
        var memory = MemoryCounters.FromStat(64 * 1048576UL, 128 * 1048576UL, new Dictionary<string, ulong>
        {
            ["total_inactive_file"] = 64 * 1048576UL,
            ["inactive_file"] = 48 * 1048576UL,
        });
        Assert.Equal((16.0, 12.5), ContainerMemoryCalculator.Calculate(memory, HostBytes));
        var neither = MemoryCounters.FromStat(64 * 1048576UL, 128 * 1048576UL, new Dictionary<string, ulong>
        {
            ["total_inactive_file"] = 80 * 1048576UL,
            ["inactive_file"] = 70 * 1048576UL,
        });
        Assert.Equal((64.0, 50.0), ContainerMemoryCalculator.Calculate(neither, HostBytes));
    }

    [Fact]
    public void Memory_percent_is_of_the_container_limit_when_set()
    {
        var memory = MemoryCounters.FromStat(64 * 1048576UL, 128 * 1048576UL, new Dictionary<string, ulong> { ["total_inactive_file"] = 0 });
        Assert.Equal((64.0, 50.0), ContainerMemoryCalculator.Calculate(memory, HostBytes));
    }

    [Fact]
    public void Memory_percent_is_of_the_host_when_no_limit()
    {
        // cgroup v1 "unlimited" is 2^63 rounded to a page.
        var memory = MemoryCounters.FromStat(1048576UL * 512, 9223372036854771712, null);
        Assert.Equal((512.0, 25.0), ContainerMemoryCalculator.Calculate(memory, HostBytes));
    }

    [Fact]
    public void Stopped_container_has_zero_memory() =>
        Assert.Equal((0.0, 0.0), ContainerMemoryCalculator.Calculate(null, HostBytes));

    [Fact]
    public void Real_engine_stats_fixture_reads_back()
    {
        // Docker 20.10 on cgroup v1, one-shot stats of a busy loop limited with --cpus 0.5.
        var stats = JsonSerializer.Deserialize(Fixture.Text("docker", "stats-cgroup-v1-cpus-0.5.json"), DockerJsonContext.Default.DockerStats)!;

        var counters = DockerStatsConverter.ToCounters(stats);
        var snapshot = counters.Cpu!.Value;
        Assert.Equal(7625560335UL, snapshot.ContainerNanos);
        Assert.Equal(5202150000000UL, snapshot.SystemNanos);
        Assert.Equal(2, snapshot.OnlineCpus);
        var (usage, percent) = ContainerMemoryCalculator.Calculate(counters.Memory, 25276026880);
        Assert.Equal(0.57, usage);      // 598016 B, no inactive file
        Assert.Equal(0.0, percent);
    }
}
