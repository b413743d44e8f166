using System.Globalization;
using StackScope.EndToEnd.Tests.Infrastructure;
using StackScope.Tests.Common;

namespace StackScope.EndToEnd.Tests;

/// <summary>Agent -> server -> rows, on each storage provider: the rows are what the agent printed.</summary>
public abstract class AgentToServerSuite<TDatabase>(TestContainers containers) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Rows_match_what_the_agent_printed()
    {
        Assert.NotNull(containers);
        await using var database = new TDatabase();
        await using var server = await RunningServer.StartAsync(database);
        var agentId = Reports.NewAgentId("e2e");

        var run = await AgentBinary.OnceAsync(server, agentId);
        Assert.Equal(0, run.ExitCode);
        var printed = AgentOutput.Parse(run.Output);

        var host = Assert.Single(await database.QueryAsync("SELECT * FROM server WHERE agent_id = @a", ("@a", agentId)));
        foreach (var column in new[] { "ser_cpu_count", "ser_cpu_percent", "ser_memory_total", "ser_memory_used", "ser_memory_percent" })
        {
            Assert.Equal(printed.Host[column]!.GetValue<double>(), Convert.ToDouble(host[column], CultureInfo.InvariantCulture));
        }

        var rows = await database.QueryAsync("SELECT * FROM container WHERE agent_id = @a", ("@a", agentId));
        Assert.Equal(printed.Containers.Count, rows.Count);
        foreach (var row in rows)
        {
            var record = printed.Container((string)row["container_name"]!);
            Assert.Equal((string?)record["status"], row["status"]);
            Assert.Equal(agentId, row["node_name"]);
            foreach (var column in new[] { "con_cpu_percent", "con_memory_usage", "con_memory_percent" })
            {
                Assert.Equal(record[column]!.GetValue<double>(), Convert.ToDouble(row[column], CultureInfo.InvariantCulture));
            }
        }
    }
}

[Collection(DockerTestGroup.Name)]
public sealed class AgentToSqliteTests(TestContainers containers) : AgentToServerSuite<SqliteTestDatabase>(containers);

[Collection(DockerTestGroup.Name)]
public sealed class AgentToMariaDbTests(TestContainers containers) : AgentToServerSuite<MariaDbTestDatabase>(containers);
