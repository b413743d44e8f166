using System.Collections.Concurrent;
using System.Globalization;

namespace StackScope.Bench.Ingest;

internal sealed class Stats
{
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly ConcurrentDictionary<string, int> _errors = new();

    public int Errors => _errors.Values.Sum();

    private readonly ConcurrentBag<double> _dispatchLags = [];

    public void Ok(double latencyMs) => _latencies.Add(latencyMs);

    /// <summary>How late the generator itself sent a request against its schedule (open loop only).</summary>
    public void DispatchLag(double lagMs) => _dispatchLags.Add(lagMs);

    public void Error(string kind) => _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private string LagSummary()
    {
        if (_dispatchLags.IsEmpty)
        {
            return "";
        }

        var lags = _dispatchLags.ToArray();
        Array.Sort(lags);
        return string.Create(CultureInfo.InvariantCulture, $" generator_lag_p99_ms={lags[(int)(lags.Length * 0.99)]:0.0}");
    }

    public void Print(string mode, double seconds, int containers)
    {
        var sorted = _latencies.ToArray();
        Array.Sort(sorted);
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        var reportsPerSecond = sorted.Length / seconds;
        var errors = _errors.IsEmpty ? "none" : string.Join(", ", _errors.Select(e => $"{e.Key}×{e.Value}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT mode=\"{mode}\" ok={sorted.Length} seconds={seconds:0.0} reports_per_s={reportsPerSecond:0} rows_per_s={reportsPerSecond * (1 + containers):0} " +
            $"p50_ms={P(0.50):0.0} p99_ms={P(0.99):0.0} max_ms={(sorted.Length == 0 ? double.NaN : sorted[^1]):0.0} errors=\"{errors}\"{LagSummary()}"));
    }
}
