using System.Text.Json;
using System.Text.Json.Nodes;

namespace StackScope.Contracts.Tests;

public class WireFormatTests
{
    [Fact]
    public void Seed_request_deserializes_with_every_value()
    {
        var report = JsonSerializer.Deserialize(SeedFiles.Request, ContractsJsonContext.Default.MonitorReport)!;

        Assert.Equal("docker", report.EngineType);
        Assert.Equal("agent_ss", report.AgentId);
        Assert.Equal(1, report.CpuCount);
        Assert.Equal(1956, report.MemoryTotalMiB);
        Assert.Equal(569, report.MemoryUsedMiB);
        Assert.Equal(29.09, report.MemoryPercent);
        Assert.Equal(new DateTime(2024, 8, 30, 12, 59, 41, DateTimeKind.Utc), report.SampledAt);
        Assert.Equal(DateTimeKind.Utc, report.SampledAt.Kind);
        Assert.Equal(4, report.Containers.Count);
        Assert.Equal(["redis-container", "alpine-container", "busybox-container", "nginx-container"],
            report.Containers.Select(c => c.ContainerName));
        var exited = report.Containers[1];
        Assert.Equal("exited", exited.Status);
        Assert.Equal(0, exited.MemoryUsageMiB);
        Assert.Equal(3.4, report.Containers[0].MemoryUsageMiB);
        Assert.Equal(0.17, report.Containers[0].MemoryPercent);
    }

    [Fact]
    public void Serialized_report_equals_the_seed_request_as_json()
    {
        var report = JsonSerializer.Deserialize(SeedFiles.Request, ContractsJsonContext.Default.MonitorReport)!;
        var written = JsonSerializer.Serialize(report, ContractsJsonContext.Default.MonitorReport);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(SeedFiles.Request), JsonNode.Parse(written)), written);
    }

    [Fact]
    public void Success_envelope_equals_the_seed_response()
    {
        var envelope = new ApiEnvelope<string> { Data = "", ResultCode = ResultCodes.Ok, Success = true };
        var written = JsonSerializer.Serialize(envelope, ContractsJsonContext.Default.ApiEnvelopeString);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(SeedFiles.Response), JsonNode.Parse(written)), written);
        Assert.Equal("""{"data":"","pageInfo":{},"resultCode":"0","resultMessage":"","success":true}""", written);
    }

    [Theory]
    [InlineData("2024-08-30 12:59:41", true)]
    [InlineData("2024-02-29 00:00:00", true)]
    [InlineData("2023-02-29 00:00:00", false)]
    [InlineData("2024-08-30T12:59:41", false)]
    [InlineData("2024-08-30 12:59:41Z", false)]
    [InlineData("2024-08-30 12:59:41.5", false)]
    [InlineData("2024-8-30 12:59:41", false)]
    [InlineData("2024-08-30 24:00:00", false)]
    [InlineData("2024-08-30 23:60:00", false)]
    [InlineData("2024-08-30 23:59:60", false)]
    [InlineData("2024-13-01 00:00:00", false)]
    [InlineData("2024-00-10 00:00:00", false)]
    [InlineData("2024-08-00 00:00:00", false)]
    [InlineData("2024-04-31 00:00:00", false)]
    [InlineData("0000-01-01 00:00:00", false)]
    [InlineData("0001-01-01 00:00:00", true)]
    [InlineData("9999-12-31 23:59:59", true)]
    [InlineData("2024-08-30 12:59:4a", false)]
    [InlineData("+024-08-30 12:59:41", false)]
    [InlineData(" 2024-08-30 12:59:4", false)]
    [InlineData("2024-08-30 1:59:41 ", false)]
    [InlineData("2024/08/30 12:59:41", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void WireTimestamp_accepts_only_the_exact_form(string? text, bool valid)
    {
        Assert.Equal(valid, WireTimestamp.TryParse(text, out var parsed));
        if (valid)
        {
            Assert.Equal(text, WireTimestamp.ToWire(parsed));
            Assert.Equal(DateTimeKind.Utc, parsed.Kind);
        }

        // The server's reader parses the body's bytes: the same answer, the same instant.
        Assert.Equal(valid, WireTimestamp.TryParse(System.Text.Encoding.UTF8.GetBytes(text ?? ""), out var fromBytes));
        Assert.Equal(parsed, fromBytes);
        Assert.Equal(parsed.Kind, fromBytes.Kind);
    }

    [Theory]
    [InlineData("agent_ss", true)]
    [InlineData("a", true)]
    [InlineData("host-01.prod_eu", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/", false)]
    [InlineData("ünïcode", false)]
    public void AgentIds_follow_the_documented_form(string value, bool valid) =>
        Assert.Equal(valid, AgentIds.IsValid(value));

    [Fact]
    public void AgentIds_allow_64_characters_not_65()
    {
        Assert.True(AgentIds.IsValid(new string('a', 64)));
        Assert.False(AgentIds.IsValid(new string('a', 65)));
    }
}
