using Microsoft.Extensions.DependencyInjection;
using StackScope.Server.Alerts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Alerts;

/// <summary>
/// Ingest hands each stored report to the evaluator through <see cref="AlertSignal"/>. Only an evaluator that takes them
/// may be handed them: with alerts off (or in a process without the lease) nobody did, and every report stayed in memory
/// up to the signal's cap of 100,000.
/// </summary>
public sealed class AlertSignalTests
{
    [Fact]
    public async Task With_alerts_off_stored_reports_are_not_kept_for_an_evaluator()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Alerts:Enabled"] = "false" });
        var agent = Reports.NewAgentId("signal");
        using var agentClient = new HttpClient { BaseAddress = server.BaseAddress };
        agentClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await server.Credentials.AgentTokenAsync(agent));

        for (var i = 0; i < 3; i++)
        {
            var answer = await Reports.PostAsync(agentClient, Reports.Seed(agent, DateTime.UtcNow.AddSeconds(i - 10)));
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        var signal = server.Services.GetRequiredService<AlertSignal>();
        Assert.False(signal.Listening);
        Assert.Empty(signal.TakeStored().Stored);
    }

    [Fact]
    public async Task The_lease_holder_listens_until_it_stops()
    {
        await using var database = new SqliteTestDatabase();
        var server = await RunningServer.StartAsync(database, new Dictionary<string, string?> { ["Alerts:EvaluateIntervalSeconds"] = "0.2" });
        var signal = server.Services.GetRequiredService<AlertSignal>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!signal.Listening && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(signal.Listening, "the evaluator took the lease and listens");
        await server.DisposeAsync();
        Assert.False(signal.Listening);
        Assert.Empty(signal.TakeStored().Stored);
    }
}
