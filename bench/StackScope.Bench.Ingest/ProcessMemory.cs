using System.Diagnostics;
using System.Globalization;

namespace StackScope.Bench.Ingest;

/// <summary>
/// Resident memory of another process (the server under test), from /proc/PID/status, read every second: its maximum,
/// and the maximum of each minute, so a soak shows whether memory levels off or keeps climbing.
/// </summary>
internal sealed class ProcessMemory : IDisposable
{
    private readonly Timer _timer;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<double> _minutes = [];
    private readonly Lock _gate = new();

    private ProcessMemory(int pid) => _timer = new Timer(_ => Sample(RssMiB(pid)), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));

    public double MaxMiB
    {
        get
        {
            lock (_gate)
            {
                return _minutes.Count == 0 ? 0 : _minutes.Max();
            }
        }
    }

    /// <summary>The highest reading of each minute since tracking began.</summary>
    public IReadOnlyList<double> MinuteMaxMiB
    {
        get
        {
            lock (_gate)
            {
                return [.. _minutes];
            }
        }
    }

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

    /// <summary>
    /// "flat" when the last third of the minutes peaked no higher than 5 % over the middle third (warm-up growth, the
    /// first third, is the runtime sizing its heap); otherwise "climbing". Null under three minutes.
    /// </summary>
    public static string? Trend(IReadOnlyList<double> minutes)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        if (minutes.Count < 3)
        {
            return null;
        }

        var third = minutes.Count / 3;
        var middle = minutes.Skip(third).Take(third).Max();
        var last = minutes.Skip(minutes.Count - third).Max();
        return string.Create(CultureInfo.InvariantCulture,
            $"{(last <= middle * 1.05 ? "flat" : "climbing")} (last third's peak {last:0.0} MiB against the middle third's {middle:0.0})");
    }

    public void Dispose() => _timer.Dispose();

    private void Sample(double mib)
    {
        if (double.IsNaN(mib))
        {
            return;
        }

        var minute = (int)(Stopwatch.GetElapsedTime(_started).TotalMinutes);
        lock (_gate)
        {
            while (_minutes.Count <= minute)
            {
                _minutes.Add(0);
            }

            _minutes[minute] = Math.Max(_minutes[minute], mib);
        }
    }
}
