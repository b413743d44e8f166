using System.Text.Json;
using StackScope.Agent.Delivery;
using StackScope.Agent.Lifecycle;
using StackScope.Contracts;

namespace StackScope.Agent.Sampling;

/// <summary>Samples once per interval and spools the report; delivery happens elsewhere.</summary>
internal sealed partial class SamplingWorker(
    ReportSampler sampler, ReportSpool spool, DeliverySignal signal, AgentOptions options, TimeProvider clock, AgentExit exit,
    ILogger<SamplingWorker> logger, LifecycleTracker? lifecycle = null, Telemetry.AgentMetrics? metrics = null)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => exit.RunAsync("Sampling", SampleEveryIntervalAsync, stoppingToken);

    private async Task SampleEveryIntervalAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.IntervalSeconds);
        await sampler.PrimeAsync(stoppingToken).ConfigureAwait(false);
        LogStarted(logger, options.AgentId, options.ServerUrl, options.IntervalSeconds, spool.Count);

        // The first report follows the priming sample by a short, real interval; then one per interval.
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, options.IntervalSeconds)), clock, stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(interval, clock);
        var previous = DateTime.MinValue;
        do
        {
            try
            {
                var cycleStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                if (await sampler.SampleAsync(stoppingToken).ConfigureAwait(false) is not { Report: var report } sampled)
                {
                    continue; // the host could not be read; the guard logged it
                }

                if (report.SampledAt <= previous)
                {
                    // Times are whole seconds and (agent, time) is the report's identity: a second report in
                    // the same second would be taken for a resend of the first. Skip it visibly instead.
                    LogSameSecond(logger, WireTimestamp.ToWire(report.SampledAt));
                    continue;
                }

                previous = report.SampledAt;
                spool.Add(JsonSerializer.SerializeToUtf8Bytes(report, ContractsJsonContext.Default.MonitorReport), report.SampledAt);
                // The report's events count as sent only now: had the spool refused it, the next report carries them.
                foreach (var plan in sampled.Plans)
                {
                    lifecycle?.Commit(plan);
                }

                signal.Notify();
                metrics?.Cycle(System.Diagnostics.Stopwatch.GetElapsedTime(cycleStarted));
                // The agent idles between samples: hand the cycle's garbage back to the OS now, rather than keep the
                // heap's high-water mark resident until memory pressure. Measured with 50 containers at 10 s: about
                // 0.015 % of a core for 9 MB less peak RSS than a gen0 or gen1 collection, or a full one every sixth
                // cycle (BENCHMARKS.md, "Agent CPU and memory").
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                LogSampled(logger, WireTimestamp.ToWire(report.SampledAt), report.CpuPercent, report.MemoryPercent, report.Containers.Count);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (IOException ex)
            {
                // The spool could not take the report (disk full, read-only): this interval is lost, not the agent.
                LogSpoolFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ss-agent {AgentId} reporting to {ServerUrl} every {Interval} s; {Waiting} spooled reports from before")]
    private static partial void LogStarted(ILogger logger, string agentId, string serverUrl, int interval, int waiting);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sampled {Time}: host CPU {Cpu} %, memory {Memory} %, {Containers} containers")]
    private static partial void LogSampled(ILogger logger, string time, double cpu, double memory, int containers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Two samples fell in the second {Time}; the later one is skipped")]
    private static partial void LogSameSecond(ILogger logger, string time);

    [LoggerMessage(Level = LogLevel.Error, Message = "The spool could not keep this interval's report; it is lost")]
    private static partial void LogSpoolFailed(ILogger logger, Exception exception);
}
