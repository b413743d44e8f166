using StackScope.Server.Alerts;
using StackScope.Server.Api;

namespace StackScope.Server.Tests.Alerts;

public sealed class RuleParserTests
{
    [Theory]
    [InlineData("{name: a, kind: metric, metric: host.temperature, threshold: 1}", "metric: unknown 'host.temperature'")]
    [InlineData("{name: a, kind: metric, metric: host.memory_percent, threshold: 150}", "threshold: out of range for host.memory_percent: must be 0-100, got 150")]
    [InlineData("{name: a, kind: metric, metric: host.memory_percent, threshold: 90, clear: 95}", "clear: must be on the resolving side")]
    [InlineData("{name: a, kind: metric, metric: host.memory_percent}", "threshold: required")]
    [InlineData("{name: a, kind: metric, metric: host.memory_percent, threshold: 90, window: 2d}", "window: must be 0s-1d (the evaluator keeps at most 24h of samples per target), got 2d")]
    [InlineData("{name: a, kind: state, condition: unhealthy, scope: {containers: ['web-[0-9']}}", "scope.containers[0]: 'web-[0-9' is a malformed pattern")]
    [InlineData("{name: a, kind: state, condition: unhealthy, thresold: 3}", "thresold: unknown field")]
    [InlineData("{name: a, kind: state, condition: unhealthy, threshold: 3}", "threshold: does not apply to this kind of rule")]
    [InlineData("{name: a, kind: state, condition: not_running}", "scope.containers: not_running needs")]
    [InlineData("{name: 'bad name', kind: absence}", "name: 1-64 characters")]
    [InlineData("{name: a, kind: absence, floor: soon}", "floor: expected a duration")]
    [InlineData("{name: a, kind: metric, metric: [", "body: malformed YAML at line ")]
    [InlineData("{name: a, kind: sometimes}", "kind: unknown 'sometimes'")]
    public void An_invalid_rule_is_refused_naming_the_field(string yaml, string message)
    {
        var problem = Assert.Throws<ApiProblemException>(() => RuleParser.ParseOne(yaml));
        Assert.Equal(Contracts.ResultCodes.InvalidRule, problem.ResultCode);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_names_the_rule_at_fault_and_refuses_a_name_given_twice()
    {
        var problem = Assert.Throws<ApiProblemException>(() => RuleParser.ParseMany(
            "rules:\n  - {name: a, kind: absence}\n  - {name: b, kind: metric, metric: host.cpu_percent, threshold: 101}\n", "file"));
        Assert.StartsWith("rules[1].threshold: out of range", problem.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<ApiProblemException>(() => RuleParser.ParseMany("- {name: a, kind: absence}\n- {name: a, kind: absence}\n", "file"));
        Assert.Equal("rules: rule 'a' appears twice", twice.Message);
    }

    [Fact]
    public void Exported_yaml_reads_back_to_the_same_rules_defaults_included()
    {
        var yaml = RuleParser.ToYaml(DefaultRules.All.Append(RuleParser.ParseOne(
            "{name: web-up, kind: state, condition: not_running, for: 90s, repeat: 1h, channels: [ops], scope: {agents: [prod-*], containers: [web], labels: {tier: front*}}}")));
        var back = RuleParser.ParseMany(yaml, "file");
        Assert.Equal(DefaultRules.All.Count + 1, back.Count);
        for (var i = 0; i < DefaultRules.All.Count; i++)
        {
            Assert.Equal(Canonical(RuleParser.ParseOne(System.Text.Json.JsonSerializer.Serialize(DefaultRules.All[i], AlertsJsonContext.Default.AlertRule))), Canonical(back[i]));
        }

        var custom = back[^1];
        Assert.Equal(90, custom.ForSeconds);
        Assert.Equal(3600, custom.RepeatSeconds);
        Assert.Equal(["ops"], custom.Channels);
        Assert.Equal("front*", custom.Scope.Labels["tier"]);
    }

    [Fact]
    public void The_defaults_cover_what_the_issue_names()
    {
        Assert.Equal(
            ["agent-silent", "container-exited-nonzero", "container-oom-killed", "container-restart-loop", "container-unhealthy", "host-disk-full", "host-memory-high"],
            DefaultRules.All.Select(r => r.Name).Order());
        var unhealthy = DefaultRules.All.Single(r => r.Name == "container-unhealthy");
        Assert.Equal(120, unhealthy.ForSeconds);
        var loop = DefaultRules.All.Single(r => r.Name == "container-restart-loop");
        Assert.Equal((3, 600), (loop.Count!.Value, loop.WithinSeconds!.Value));
        Assert.All(DefaultRules.All.Where(r => r.Kind == AlertKinds.Metric), r => Assert.Equal((90.0, 600), (r.Threshold!.Value, r.ForSeconds)));
        // Each default passes the parser's own checks.
        Assert.All(DefaultRules.All, r => RuleParser.ParseOne(System.Text.Json.JsonSerializer.Serialize(r, AlertsJsonContext.Default.AlertRule)));
    }

    private static string Canonical(AlertRule rule) => System.Text.Json.JsonSerializer.Serialize(rule, AlertsJsonContext.Default.AlertRule);
}
