using Microsoft.Extensions.Options;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests.Retention;

/// <summary>Bad retention settings stop the server at start, the key named; the maintenance command refuses them the same way.</summary>
public sealed class RetentionSettingsTests
{
    [Theory]
    [InlineData("Retention:RawDays", "-1", "Retention:RawDays must be at least 1 day")]
    [InlineData("Retention:FiveMinuteDays", "3", "Retention:FiveMinuteDays (3) must not be shorter than Retention:RawDays (7)")]
    [InlineData("Retention:HourDays", "30", "Retention:HourDays (30) must not be shorter than Retention:FiveMinuteDays (90)")]
    [InlineData("Retention:MaxRawMegabytes", "5", "Retention:MaxRawMegabytes must be 0 (no cap) or at least 10")]
    [InlineData("Retention:EventDays", "0", "Retention:EventDays must be at least 1 day")]
    [InlineData("Retention:IntervalMinutes", "0", "Retention:IntervalMinutes must be 0.05-1440")]
    public async Task A_bad_setting_stops_the_start_with_its_key_named(string key, string value, string message)
    {
        await using var database = new SqliteTestDatabase();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningServer.StartAsync(database, new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_maintenance_command_refuses_a_bad_setting_and_exits_non_zero()
    {
        await using var database = new SqliteTestDatabase();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Admin.AdminCli.RunAsync(
            ["maintenance", "run", "--Storage:Provider", "sqlite", "--Storage:ConnectionString", database.ConnectionString, "--Retention:RawDays", "0"],
            output, error, TextReader.Null);
        Assert.Equal(1, code);
        Assert.Contains("Retention:RawDays must be at least 1 day", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_maintenance_command_runs_once_and_prints_what_it_did()
    {
        await using var database = new SqliteTestDatabase();
        var history = new RetentionHistory(DateTime.UtcNow, days: 9);
        await history.SeedAsync(database);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Admin.AdminCli.RunAsync(
            ["maintenance", "run", "--Storage:Provider", "sqlite", "--Storage:ConnectionString", database.ConnectionString], output, error, TextReader.Null);
        Assert.True(code == 0, error.ToString());
        var printed = System.Text.Json.Nodes.JsonNode.Parse(output.ToString())!;
        Assert.True((int)printed["fiveMinuteRows"]! > 0);
        Assert.True((long)printed["rawRowsExpired"]! > 0);
        Assert.True(await database.CountAllAsync("server_1h") > 0);
    }
}
