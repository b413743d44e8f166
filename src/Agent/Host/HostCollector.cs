using StackScope.Agent.Sampling;

namespace StackScope.Agent.Host;

/// <summary>
/// Samples the host from a /proc root (the host's own, or one mounted into the agent's container).
/// Keeps the previous CPU times, so each sample's CPU % covers the interval since the one before.
/// </summary>
internal sealed class HostCollector(string procRoot)
{
    private const double KiBPerMiB = 1024;
    private CpuTimes? _previous;

    /// <summary>Takes the baseline so the first real sample already has a CPU %.</summary>
    public void Prime() => _previous = ProcStatParser.Parse(Read("stat")).Times;

    public HostSample Sample()
    {
        var (times, online) = ProcStatParser.Parse(Read("stat"));
        var meminfo = Read("meminfo");
        // Kernels before 3.14 lack MemAvailable (and a faulty one reports 0); then psutil estimates it from the zones' low watermarks.
        var (totalKiB, availableKiB) = MemInfoParser.Parse(meminfo, () => TryRead("zoneinfo"), Environment.SystemPageSize / 1024);

        // A counter that went backwards restarts the baseline; this interval reports 0 rather than a wrong value.
        var cpu = _previous is { } previous ? HostCpuCalculator.Percent(previous, times) ?? 0 : 0;
        _previous = times;

        var usedKiB = totalKiB - availableKiB;
        var (swapTotalKiB, swapUsedKiB) = MemInfoParser.Swap(meminfo);
        return new HostSample(
            CpuCount: online,
            CpuPercent: Math.Min(cpu, 100),
            // Whole MiB, as the original sent them (1956.0 on a 2 GB machine).
            MemoryTotalMiB: Math.Floor(totalKiB / KiBPerMiB),
            MemoryUsedMiB: Math.Floor(usedKiB / KiBPerMiB),
            MemoryPercent: Percentages.Round(100.0 * usedKiB / totalKiB),
            MemoryTotalBytes: totalKiB * 1024)
        {
            // Optional figures: a /proc that lacks one (an LXCFS view, a trimmed container) costs that figure only.
            Load = TryRead("loadavg") is { } loadavg ? HostExtrasParser.LoadAverage(loadavg) : null,
            UptimeSeconds = TryRead("uptime") is { } uptime ? HostExtrasParser.UptimeSeconds(uptime) : null,
            SwapTotalMiB = Math.Floor(swapTotalKiB / KiBPerMiB),
            SwapUsedMiB = Math.Floor(swapUsedKiB / KiBPerMiB),
            Network = TryRead(Path.Combine("net", "dev")) is { } netDev ? NetDevParser.Parse(netDev) : null,
        };
    }

    private string Read(string name) => KernelFile.ReadAllText(Path.Combine(procRoot, name));

    private string? TryRead(string name)
    {
        try
        {
            return Read(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
