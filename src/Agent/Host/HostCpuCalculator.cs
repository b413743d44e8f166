using StackScope.Agent.Sampling;

namespace StackScope.Agent.Host;

/// <summary>
/// Busy share of all CPUs between two /proc/stat samples, by psutil's cpu_percent rules (psutil/__init__.py,
/// _cpu_times_deltas, _cpu_tot_time, _cpu_busy_time): each field's delta is clamped at zero before anything is
/// summed (a steal counter that steps back must not zero the whole figure); the total is every field less guest and
/// guest_nice, which the kernel already counts inside user and nice; idle is idle + iowait.
/// </summary>
internal static class HostCpuCalculator
{
    /// <summary>Null when no counter moved: there is no honest value.</summary>
    public static double? Percent(CpuTimes previous, CpuTimes current)
    {
        static ulong Delta(ulong before, ulong after) => after > before ? after - before : 0;

        var user = Delta(previous.User, current.User);
        var nice = Delta(previous.Nice, current.Nice);
        var system = Delta(previous.System, current.System);
        var idle = Delta(previous.Idle, current.Idle);
        var ioWait = Delta(previous.IoWait, current.IoWait);
        var irq = Delta(previous.Irq, current.Irq);
        var softIrq = Delta(previous.SoftIrq, current.SoftIrq);
        var steal = Delta(previous.Steal, current.Steal);
        var guest = Delta(previous.Guest, current.Guest);
        var guestNice = Delta(previous.GuestNice, current.GuestNice);

        var all = user + nice + system + idle + ioWait + irq + softIrq + steal + guest + guestNice;
        var total = all - guest - guestNice;
        if (total == 0)
        {
            return null;
        }

        var busy = total > idle + ioWait ? total - idle - ioWait : 0;
        return Percentages.Round(100.0 * busy / total);
    }
}
