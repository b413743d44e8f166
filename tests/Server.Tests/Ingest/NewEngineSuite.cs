using System.Net;
using System.Text.Json.Nodes;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Ingest;

/// <summary>
/// A report from an agent newer than this server, naming engines the server does not know yet, is stored and shown
/// as it came (refused, it would be parked for good in the agent's spool/rejected/ and its host go dark).
/// </summary>
public abstract class NewEngineSuite<TDatabase>(ServerFixture<TDatabase> fixture) : IClassFixture<ServerFixture<TDatabase>>
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Engines_the_server_does_not_know_yet_are_stored_and_shown()
    {
        var agent = Reports.NewAgentId("newengine");
        var at = StackScope.Contracts.WireTimestamp.Truncate(DateTime.UtcNow).AddMinutes(-1);
        var report = Reports.WithContainerNames(Reports.Seed(agent, at), ["pod-a", "pod-b"]);
        // The longest type the MySQL column holds, for the report; a second engine of a name not known today.
        const string Newest = "cri-o.v2_16chars";
        report["engine_type"] = Newest;
        report["engine_types"] = new JsonArray(Newest, "containerd");
        var containers = report["container_stats"]!.AsArray();
        while (containers.Count > 2)
        {
            containers.RemoveAt(containers.Count - 1); // the seed's own beyond the two named
        }

        containers[0]!["engine_type"] = Newest;
        containers[1]!["engine_type"] = "containerd";
        using var answer = await Reports.PostAsync(fixture.Server.Client, report);
        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());

        var stored = Assert.Single(await fixture.Database.QueryAsync("SELECT engine_type, engine_types FROM server WHERE agent_id = @a", ("@a", agent)));
        Assert.Equal(Newest, stored["engine_type"]);
        Assert.Equal($"{Newest},containerd", stored["engine_types"]);
        var shown = JsonNode.Parse(await fixture.Server.Client.GetStringAsync(new Uri($"/api/v1/agents/{agent}/containers", UriKind.Relative)))!;
        Assert.Equal([(Newest, "pod-a"), ("containerd", "pod-b")],
            shown["data"]!.AsArray().Select(c => ((string)c!["engineType"]!, (string)c["containerName"]!)).OrderBy(c => c.Item2, StringComparer.Ordinal));
    }
}

public sealed class SqliteNewEngineTests(ServerFixture<SqliteTestDatabase> fixture) : NewEngineSuite<SqliteTestDatabase>(fixture);

public sealed class MariaDbNewEngineTests(ServerFixture<MariaDbTestDatabase> fixture) : NewEngineSuite<MariaDbTestDatabase>(fixture);
