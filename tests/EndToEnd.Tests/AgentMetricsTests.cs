using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>The shipped agent's own metrics on its loopback listener, while it reports to a real server; checked by promtool.</summary>
[Collection(DockerTestGroup.Name)]
public sealed class AgentMetricsTests
{
    [Fact]
    public async Task The_running_agent_serves_its_cycles_spool_and_deliveries_and_promtool_accepts_them()
    {
        Assert.True(File.Exists(Promtool.Path), "promtool is not installed: run the tests with scripts/test.sh (Debian's prometheus)");
        await using var database = new SqliteTestDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("selfmetrics");
        var spool = Directory.CreateTempSubdirectory("ss-e2e-selfmetrics-").FullName;
        var port = Ports.Free();
        var agent = RunningAgent.Start("--Agent:ServerUrl", server.BaseAddress.ToString(), "--Agent:AgentId", agentId, "--Agent:NodeName", agentId,
            "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await server.Credentials.AgentTokenAsync(agentId),
            "--Agent:MetricsListen", $"127.0.0.1:{port}");
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("Serving the agent's own metrics", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            string text = "";
            await Delivered.WaitUntilAsync(async () =>
            {
                text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return Value(text, "stackscope_agent_delivered_reports_total") >= 2 && Value(text, "stackscope_agent_cycle_seconds_count") >= 2;
            }, "two cycles and two deliveries counted", 60);
            Assert.Equal(0, Value(text, "stackscope_agent_dropped_reports_total"));
            Assert.Equal(0, Value(text, "stackscope_agent_rejected_reports_total"));

            var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
            Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {exitCode}):\n{output}");
        }
        finally
        {
            await agent.DisposeAsync();
            Directory.Delete(spool, recursive: true);
        }
    }

    private static double Value(string text, string name) =>
        text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(-1).First();
}
