using System.Net.Http.Headers;
using StackScope.Contracts;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>
/// Two ss-server replicas on the three-node Galera cluster (writes through HAProxy's writer port, queries through its
/// read port) behind HAProxy checking /readyz, a real agent and steady load through that balancer. The replica holding
/// the alert lease is SIGKILLed: the agents go on through the other, the lease moves, a container that exits meanwhile
/// is told once, the exit told before the kill is not told again, and every acknowledged or sampled report is stored.
/// </summary>
public sealed class GaleraReplicaTests
{
    private const string TookLease = "took the evaluation lease";

    private static DateTime Now() => WireTimestamp.Truncate(DateTime.UtcNow);

    // As an agent does: the same report again until it is answered 200 (a replica may die with it in flight).
    private static async Task PostUntilStoredAsync(HttpClient client, string agent, DateTime at, string container, string status, params (string, int?)[] events)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var report = Reports.OneContainer(agent, at, container, status, events.Select(e => (e.Item1, e.Item2, at.AddSeconds(-1))).ToArray());
                using var answer = await Reports.PostAsync(client, report);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // the balancer lost the connection with the replica: resend
            }

            Assert.True(DateTime.UtcNow < deadline, $"{agent}/{container} {status} not stored within 60 s");
            await Task.Delay(250);
        }
    }

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task The_replica_holding_the_lease_SIGKILLed_under_load_hands_over_and_each_exit_is_told_once()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        await using var database = new MariaDbTestDatabase(GaleraCluster.Writer);
        await database.InitializeAsync();
        var synthetic = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var id = Reports.NewAgentId("replload");
            synthetic[id] = await TokenIssuer.AgentTokenAsync(database, id);
        }

        var before = Reports.NewAgentId("replbefore");
        var meanwhile = Reports.NewAgentId("replmeanwhile");
        var agentId = Reports.NewAgentId("replagent");
        string[] args =
        [
            .. ServerProcess.StorageArgs(database), "--Storage:ReadConnectionString", database.Through(GaleraCluster.Readers).ConnectionString,
            "--Alerts:Channels:hook:Type", "webhook", "--Alerts:Channels:hook:Url", hook.Url,
            "--Alerts:EvaluateIntervalSeconds", "0.25", "--Alerts:MaxBackoffSeconds", "1", "--Alerts:LeaseSeconds", "5",
        ];
        var first = await ServerProcess.StartAsync(Ports.Free(), args);
        var second = await ServerProcess.StartAsync(Ports.Free(), args);
        var spool = Directory.CreateTempSubdirectory("ss-replica-spool-").FullName;
        try
        {
            await using var balancer = await ServerBalancer.StartAsync([first.BaseAddress, second.BaseAddress]);
            using var beforeClient = Client(balancer.BaseAddress, await TokenIssuer.AgentTokenAsync(database, before));
            using var meanwhileClient = Client(balancer.BaseAddress, await TokenIssuer.AgentTokenAsync(database, meanwhile));
            await using var agent = RunningAgent.Start("--Agent:ServerUrl", balancer.BaseAddress.ToString(), "--Agent:AgentId", agentId,
                "--Agent:IntervalSeconds", "1", "--Agent:SpoolPath", spool, "--Agent:Token", await TokenIssuer.AgentTokenAsync(database, agentId));
            await using var load = SteadyLoad.Start(balancer.BaseAddress, synthetic, perSecond: 30);
            await Task.Delay(TimeSpan.FromSeconds(5));

            // An exit told by the lease holder before it dies.
            var t = Now().AddSeconds(-20);
            await PostUntilStoredAsync(beforeClient, before, t, "api", "running");
            await PostUntilStoredAsync(beforeClient, before, t.AddSeconds(2), "api", "exited", ("die", 2));
            await hook.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero", $"{before}/api"), TimeSpan.FromSeconds(30), "the first exit");
            await Task.Delay(TimeSpan.FromSeconds(2)); // its delivery recorded

            var holder = first.Lines.Any(l => l.Contains(TookLease, StringComparison.Ordinal)) ? first : second;
            var survivor = holder == first ? second : first;
            Assert.DoesNotContain(survivor.Lines, l => l.Contains(TookLease, StringComparison.Ordinal));
            await holder.KillAsync();

            // A container that exits while the holder is dead and the balancer has yet to notice.
            await PostUntilStoredAsync(meanwhileClient, meanwhile, t.AddSeconds(4), "web", "running");
            await PostUntilStoredAsync(meanwhileClient, meanwhile, t.AddSeconds(6), "web", "exited", ("die", 3));
            await hook.WaitForAsync(WebhookReceiver.Is("firing", "container-exited-nonzero", $"{meanwhile}/web"), TimeSpan.FromSeconds(60),
                "the exit told by the survivor");
            Assert.Contains(survivor.Lines, l => l.Contains(TookLease, StringComparison.Ordinal));

            await Task.Delay(TimeSpan.FromSeconds(5)); // load on the survivor alone; a doubled notice would arrive by now
            await load.StopAsync();
            await Delivered.WaitUntilAsync(() => Task.FromResult(Delivered.SpoolEmpty(spool)), "the agent's spool to drain", seconds: 120);
            Assert.Equal(0, await agent.StopAsync());

            Assert.False(survivor.HasExited);
            Assert.False(load.Outcomes.ContainsKey("500"), string.Join(", ", load.Outcomes));
            Assert.True(load.Acknowledged.Count > 200, $"{load.Acknowledged.Count} acknowledged: {string.Join(", ", load.Outcomes)}");
            await Delivered.AssertAcknowledgedStoredAsync(database, load);
            await Delivered.AssertSampledStoredOnceAsync(database, agentId, agent, spool);
            // Only the two probes' containers: the real agent reports whatever the host runs, which may exit too.
            var firing = hook.Notices.Where(n => (string?)n["kind"] == "firing").Select(n => (string)n["target"]!).ToList();
            Assert.Equal(1, firing.Count(f => f == $"{before}/api"));
            Assert.Equal(1, firing.Count(f => f == $"{meanwhile}/web"));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
            Directory.Delete(spool, recursive: true);
        }
    }
}
