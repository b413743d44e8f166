using System.Net;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackScope.Agent.Delivery;

namespace StackScope.Agent.Tests.Delivery;

/// <summary>The delivery loop with a fake clock: backoff waits on the injected clock, not on the wall.</summary>
public sealed class DeliveryWorkerTests : IDisposable
{
    private static readonly DateTime T0 = new(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc);
    private readonly string _folder = Directory.CreateTempSubdirectory("ss-delivery-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(T0));
    private readonly ApplicationLifetime _lifetime = new(NullLogger<ApplicationLifetime>.Instance);

    [Fact]
    public async Task A_refused_report_waits_for_its_backoff_on_the_clock_then_is_delivered()
    {
        var handler = new StubHandler(StubHandler.Status(HttpStatusCode.ServiceUnavailable, retryAfter: TimeSpan.FromSeconds(30)), StubHandler.Status(HttpStatusCode.OK));
        var (worker, spool, _) = NewWorker(handler);
        spool.Add("{}"u8.ToArray(), T0);

        await worker.StartAsync(CancellationToken.None);
        await WaitUntil(() => handler.Calls == 1);
        await Task.Delay(200);
        Assert.Equal(1, handler.Calls); // nothing is resent before the clock moves
        Assert.Equal(1, spool.Count);

        _clock.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(200);
        Assert.Equal(1, handler.Calls); // Retry-After is a floor
        _clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => spool.Count == 0);

        Assert.Equal(2, handler.Calls);
        await worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Reports_go_oldest_first_and_a_rejected_one_is_set_aside()
    {
        var handler = new StubHandler(StubHandler.Status(HttpStatusCode.BadRequest, "{}"), StubHandler.Status(HttpStatusCode.OK));
        var (worker, spool, _) = NewWorker(handler);
        spool.Add("{\"n\":2}"u8.ToArray(), T0.AddSeconds(10));
        spool.Add("{\"n\":1}"u8.ToArray(), T0);

        await worker.StartAsync(CancellationToken.None);
        await WaitUntil(() => spool.Count == 0);
        await worker.StopAsync(CancellationToken.None);

        var rejected = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "rejected")));
        Assert.Equal("{\"n\":1}", File.ReadAllText(rejected));
    }

    [Fact]
    public async Task An_unexpected_failure_stops_the_agent_with_a_non_zero_exit_code()
    {
        var handler = new StubHandler(() => throw new InvalidOperationException("a defect"));
        var (worker, spool, exit) = NewWorker(handler);
        spool.Add("{}"u8.ToArray(), T0);

        await worker.StartAsync(CancellationToken.None);
        await WaitUntil(() => _lifetime.ApplicationStopping.IsCancellationRequested);

        Assert.Equal(AgentExit.FatalError, exit.Code);
        Assert.Equal(1, spool.Count); // the report stays for the next start
    }

    public void Dispose()
    {
        _lifetime.StopApplication();
        Directory.Delete(_folder, recursive: true);
    }

    private (DeliveryWorker Worker, ReportSpool Spool, AgentExit Exit) NewWorker(StubHandler handler)
    {
        var spool = new ReportSpool(_folder, 1 << 20, TimeSpan.FromHours(72), _clock, NullLogger<ReportSpool>.Instance);
        var sender = new ReportSender(new HttpClient(handler), new Uri("http://127.0.0.1:1/api/v1/monitor-info"), _clock);
        var exit = new AgentExit(_lifetime, new FakeLogger<AgentExit>());
        var worker = new DeliveryWorker(spool, sender, new DeliverySignal(), new Backoff(new Random(1)), _clock, exit, new FakeLogger<DeliveryWorker>());
        return (worker, spool, exit);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}
