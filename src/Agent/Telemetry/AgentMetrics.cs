using System.Globalization;
using System.Text;

namespace StackScope.Agent.Telemetry;

/// <summary>
/// The agent's own figures for its optional local <c>/metrics</c> listener: sampling cycles, the spool, deliveries.
/// Plain counters read at each scrape. Hand-written rather than prometheus-net: the agent publishes as Native AOT with
/// zero trim warnings, which that library (reflection, HttpListener server) does not promise; a dozen series need
/// neither its registry nor its server.
/// </summary>
internal sealed class AgentMetrics
{
    private static readonly double[] CycleBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Lock _gate = new();
    private readonly long[] _cycleBuckets = new long[CycleBuckets.Length];
    private long _cycles;
    private double _cycleSeconds;
    private long _delivered;
    private long _deliveryFailures;
    private long _rejected;

    public void Cycle(TimeSpan took)
    {
        lock (_gate)
        {
            _cycles++;
            _cycleSeconds += took.TotalSeconds;
            for (var i = 0; i < CycleBuckets.Length; i++)
            {
                if (took.TotalSeconds <= CycleBuckets[i])
                {
                    _cycleBuckets[i]++;
                }
            }
        }
    }

    public void Delivered() => Interlocked.Increment(ref _delivered);

    /// <summary>A send that did not store the report (server away, busy, token refused): it stays spooled and is retried.</summary>
    public void DeliveryFailed() => Interlocked.Increment(ref _deliveryFailures);

    public void Rejected() => Interlocked.Increment(ref _rejected);

    /// <summary>The Prometheus text format; the spool's figures are read as the scrape asks.</summary>
    public string Exposition(int spooledReports, long spooledBytes, long droppedReports)
    {
        var text = new StringBuilder(2048);
        lock (_gate)
        {
            text.Append("# HELP stackscope_agent_cycle_seconds Time to sample the host and engines and spool the report.\n")
                .Append("# TYPE stackscope_agent_cycle_seconds histogram\n");
            for (var i = 0; i < CycleBuckets.Length; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"stackscope_agent_cycle_seconds_bucket{{le=\"{CycleBuckets[i].ToString(CultureInfo.InvariantCulture)}\"}} {_cycleBuckets[i]}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"stackscope_agent_cycle_seconds_bucket{{le=\"+Inf\"}} {_cycles}\n")
                .Append(CultureInfo.InvariantCulture, $"stackscope_agent_cycle_seconds_sum {_cycleSeconds.ToString("R", CultureInfo.InvariantCulture)}\n")
                .Append(CultureInfo.InvariantCulture, $"stackscope_agent_cycle_seconds_count {_cycles}\n");
        }

        Family(text, "stackscope_agent_spool_reports", "gauge", "Reports waiting in the spool.", spooledReports);
        Family(text, "stackscope_agent_spool_bytes", "gauge", "Bytes of the reports waiting in the spool.", spooledBytes);
        Family(text, "stackscope_agent_delivered_reports_total", "counter", "Reports the server stored.", Interlocked.Read(ref _delivered));
        Family(text, "stackscope_agent_delivery_failures_total", "counter", "Sends that did not store the report (kept and retried).",
            Interlocked.Read(ref _deliveryFailures));
        Family(text, "stackscope_agent_rejected_reports_total", "counter", "Reports the server refused as invalid (set aside, not resent).",
            Interlocked.Read(ref _rejected));
        Family(text, "stackscope_agent_dropped_reports_total", "counter", "Spooled reports dropped by the spool's size or age bound.", droppedReports);
        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string type, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value}\n");
}
