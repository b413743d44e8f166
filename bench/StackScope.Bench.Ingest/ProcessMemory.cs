using System.Globalization;

namespace StackScope.Bench.Ingest;

/// <summary>Resident memory of another process (the server under test), from /proc/PID/status.</summary>
internal sealed class ProcessMemory : IDisposable
{
    private readonly Timer _timer;
    private double _max;

    private ProcessMemory(int pid) => _timer = new Timer(_ => _max = Math.Max(_max, RssMiB(pid)), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));

    public double MaxMiB => _max;

    public static ProcessMemory Track(int pid) => new(pid);

    public static double RssMiB(int pid)
    {
        if (pid <= 0 || !File.Exists($"/proc/{pid}/status"))
        {
            return double.NaN;
        }

        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    public void Dispose() => _timer.Dispose();
}
