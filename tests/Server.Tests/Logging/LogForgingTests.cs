using System.Net;
using System.Net.Http.Headers;
using System.Text;
using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>A carriage return in a request must not let a client write a line of its own into the server's log.</summary>
public sealed class LogForgingTests
{
    [Fact]
    public async Task A_carriage_return_in_a_path_or_a_value_never_starts_a_line_of_its_own()
    {
        await using var database = new SqliteTestDatabase();
        await database.InitializeAsync();
        var reader = await TokenIssuer.ReadTokenAsync(database, "forge-reader");
        var agent = Reports.NewAgentId("forge");
        var writer = await TokenIssuer.AgentTokenAsync(database, agent);
        await using var server = await ServerProcess.StartAsync(Ports.Free(), ServerProcess.StorageArgs(database));
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var history = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agents/some-agent/containers/web%0D2026-01-01 00:00:00 info: FORGED signed in/history");
        history.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader);
        var refused = await client.SendAsync(history);
        var report = Reports.Seed(agent);
        report["engine_type"] = "lxc\r2026-01-01 00:00:00 info: FORGED admin signed in";
        using var ingest = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitor-info") { Content = Reports.Json(report.ToJsonString()) };
        ingest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", writer);
        var rejected = await client.SendAsync(ingest);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("containerName: must be 1-255 characters without control characters", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        await Task.Delay(500); // the log lines of both requests
        var log = string.Join("\n", server.Lines);
        Assert.Contains("engine_type: 1-16 characters of [a-z0-9._-], got 'lxc\\r2026-01-01 00:00:00 info: FO", log, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Lines, l => l.StartsWith("2026-01-01", StringComparison.Ordinal) || l.Contains('\r', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a\rb", "a\\rb")]
    [InlineData("a\nb\tc", "a\\nb\\tc")]
    [InlineData("\u001b[31mred", "\\u001b[31mred")]
    [InlineData("plain ü 😀", "plain ü 😀")]
    public void Control_characters_are_written_escaped(string message, string written)
    {
        var line = new StringBuilder();
        LogText.AppendEscaped(line, message);
        Assert.Equal(written, line.ToString());
    }
}
