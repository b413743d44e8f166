using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackScope.Agent.Delivery;
using StackScope.Agent.Telemetry;
using StackScope.Tests.Common;

namespace StackScope.Agent.Tests.Telemetry;

/// <summary>The agent's own metrics on its optional loopback listener: off by default, loopback only, the spool and cycles counted.</summary>
public sealed class MetricsListenerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ss-agent-metrics-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_listener_serves_cycles_spool_and_deliveries_and_nothing_else()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
        var spool = new ReportSpool(_folder, 1 << 20, TimeSpan.FromHours(72), clock, NullLogger<ReportSpool>.Instance);
        spool.Add(new byte[300], clock.GetUtcNow().UtcDateTime);
        spool.Add(new byte[200], clock.GetUtcNow().UtcDateTime.AddSeconds(10));
        var metrics = new AgentMetrics();
        metrics.Cycle(TimeSpan.FromMilliseconds(7));
        metrics.Cycle(TimeSpan.FromMilliseconds(30));
        metrics.Delivered();
        metrics.DeliveryFailed();
        metrics.DeliveryFailed();
        var port = Ports.Free();
        using var listener = new MetricsListener(new AgentOptions { MetricsListen = $"127.0.0.1:{port}" }, metrics, spool, new FakeLogger<MetricsListener>());
        await listener.StartAsync(CancellationToken.None);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var text = await RetryAsync(() => http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
            var lines = text.Split('\n');
            Assert.Contains("stackscope_agent_cycle_seconds_count 2", lines);
            Assert.Contains("stackscope_agent_cycle_seconds_bucket{le=\"0.01\"} 1", lines);
            Assert.Contains("stackscope_agent_cycle_seconds_bucket{le=\"+Inf\"} 2", lines);
            Assert.Contains("stackscope_agent_spool_reports 2", lines);
            Assert.Contains(lines, l => l.StartsWith("stackscope_agent_spool_bytes ", StringComparison.Ordinal) && long.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 500);
            Assert.Contains("stackscope_agent_delivered_reports_total 1", lines);
            Assert.Contains("stackscope_agent_delivery_failures_total 2", lines);
            Assert.Contains("stackscope_agent_dropped_reports_total 0", lines);

            using var other = await http.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("0.0.0.0:9101")]
    [InlineData("192.0.2.1:9101")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:0")]
    public void Only_a_loopback_address_with_a_port_is_accepted(string value)
    {
        var options = new AgentOptions { MetricsListen = value };
        options.ApplyDefaults("h", null);
        Assert.Contains(AgentOptionsValidator.Validate(options), e => e.StartsWith("Agent:MetricsListen", StringComparison.Ordinal));
        Assert.Empty(AgentOptionsValidator.Validate(new AgentOptions { AgentId = "h", NodeName = "h", DockerHost = "unix:///x", MetricsListen = "[::1]:9101" }));
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (HttpRequestException) when (attempt < 50)
            {
                await Task.Delay(100); // the listener binds as the host starts it
            }
        }
    }
}
