using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StackScope.Contracts;
using StackScope.Server.Alerts;
using StackScope.Server.Storage;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Alerts;

/// <summary>
/// A container event reaches the evaluator only with the samples taken before it. The race CI once lost: the evaluator
/// was handed one stored report while the next ones (stored by another server process, or just after the hand-over)
/// were already in the database with their events; the exit was applied after the first report, and the next report,
/// taken while the container still ran, resolved it again: two incidents for one exit.
/// </summary>
public sealed class EventOrderTests
{
    [Fact]
    public async Task An_event_stored_with_a_report_not_yet_evaluated_waits_for_the_samples_before_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Alerts:Channels:hook:Type"] = "webhook",
            ["Alerts:Channels:hook:Url"] = receiver.Url,
            ["Alerts:EvaluateIntervalSeconds"] = "0.2",
        });
        var agent = Reports.NewAgentId("order");
        using var agentClient = new HttpClient { BaseAddress = server.BaseAddress };
        agentClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agent));
        var t = DateTime.UtcNow.AddSeconds(-20);
        t = t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

        // Two reports through the API: the evaluator follows the agent from here, report after report.
        foreach (var second in new[] { 0, 1 })
        {
            var answer = await Reports.PostAsync(agentClient, Reports.OneContainer(agent, t.AddSeconds(second), "web", "running"));
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        await Task.Delay(1000);

        // Three more stored at once, as another process would; this one's evaluator is handed only the first. The exit
        // (at +4 s) travels with the last report; the report between was taken while the container still ran.
        MonitorReport Report(int second, string status, params (string, int?, DateTime)[] events) =>
            JsonSerializer.Deserialize(Reports.OneContainer(agent, t.AddSeconds(second), "web", status, events).ToJsonString(), ContractsJsonContext.Default.MonitorReport)!;
        var handed = Report(2, "running");
        var stored = new[] { handed, Report(3, "running"), Report(5, "exited", ("die", 3, t.AddSeconds(4))) };
        var receivedAt = DateTime.UtcNow;
        server.Services.GetRequiredService<IReportWriter>().WriteBatch(stored, receivedAt);
        server.Services.GetRequiredService<AlertSignal>().Pulse([handed], receivedAt);

        await receiver.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero"), TimeSpan.FromSeconds(20), "the firing notice");
        // The scan of recent arrivals (every 5 s) brings the other two reports to the evaluator: nothing more to tell.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Equal(["firing"], receiver.Notices.Select(n => (string)n["kind"]!));
        var incidents = await server.Client.GetFromJsonAsync<JsonObject>($"/api/v1/alerts/incidents?agent={agent}");
        var incident = Assert.Single(incidents!["data"]!.AsArray());
        Assert.Null(incident!["resolvedAt"]);
    }
}
