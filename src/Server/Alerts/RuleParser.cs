using System.Globalization;
using System.Text.RegularExpressions;
using StackScope.Contracts;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace StackScope.Server.Alerts;

/// <summary>
/// Reads rules from YAML or JSON (one rule, a list, or <c>{rules: [...]}</c>), checks every field, fills the
/// defaults, and writes them back as YAML. The API, the rules file and the database all go through here, so a rule
/// means the same wherever it came from.
/// </summary>
internal static partial class RuleParser
{
    public const int MaxWindowSeconds = 86_400;
    public const int MaxForSeconds = 7 * 86_400;
    public const int MaxRules = 500;

    private static readonly string[] RuleFields =
    [
        "name", "kind", "enabled", "severity", "description", "metric", "aggregate", "window", "op", "threshold", "clear", "for",
        "condition", "count", "within", "floor", "scope", "channels", "repeat",
    ];

    private static readonly string[] Ops = [">=", ">", "<=", "<"];

    public static AlertRule ParseOne(string text)
    {
        var root = YamlFields.Load(text, "body") ?? throw RuleProblem.At("body", "expected a rule");
        return Read(root, "");
    }

    // documentRequired: an import that replaces every rule must say so with "rules: []"; an empty body is a mistake.
    public static IReadOnlyList<AlertRule> ParseMany(string text, string what, bool documentRequired = false)
    {
        var root = YamlFields.Load(text, what);
        var (items, path) = root switch
        {
            null when documentRequired => throw RuleProblem.At(what, "no rules document (to remove every rule, send rules: [])"),
            null => ([], "rules"),
            YamlSequenceNode sequence => (sequence.Children, "rules"),
            YamlMappingNode map => (new YamlFields(map, "", "rules").Node("rules") switch
            {
                null => [],
                YamlSequenceNode sequence => sequence.Children,
                _ => throw RuleProblem.At("rules", "expected a list of rules"),
            }, "rules"),
            _ => throw RuleProblem.At(what, "expected a list of rules or {rules: [...]}"),
        };
        if (items.Count > MaxRules)
        {
            throw RuleProblem.At(path, $"at most {MaxRules} rules, got {items.Count}");
        }

        var rules = items.Select((item, i) => Read(item, $"{path}[{i}]")).ToList();
        PatternLimits.CheckTotal(rules, path);
        var twice = rules.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? rules : throw RuleProblem.At(path, $"rule '{twice.Key}' appears twice");
    }

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    private static AlertRule Read(YamlNode node, string path)
    {
        var f = new YamlFields(node, path, RuleFields);
        var name = f.RequiredString("name");
        if (!IsValidName(name))
        {
            throw RuleProblem.At(f.Field("name"), "1-64 characters of letters, digits and . _ - (starting with a letter or digit)");
        }

        var kind = OneOf(f, "kind", AlertKinds.All, required: true)!;
        var rule = new AlertRule
        {
            Name = name,
            Kind = kind,
            Enabled = f.Boolean("enabled") ?? true,
            Severity = OneOf(f, "severity", AlertSeverities.All, required: false) ?? AlertSeverities.Warning,
            Description = Limited(f, "description", 512),
            ForSeconds = Between(f, "for", f.Seconds("for") ?? 0, 0, MaxForSeconds),
            RepeatSeconds = Between(f, "repeat", f.Seconds("repeat") ?? 0, 0, MaxForSeconds),
            Scope = ReadScope(f, path),
            Channels = f.Strings("channels").Select((c, i) => IsValidName(c) ? c
                : throw RuleProblem.At($"{f.Field("channels")}[{i}]", "a channel name: 1-64 characters of letters, digits and . _ -")).ToList(),
        };

        return kind switch
        {
            AlertKinds.Metric => ReadMetric(f, rule),
            AlertKinds.State => ReadState(f, rule),
            _ => ReadAbsence(f, rule),
        };
    }

    private static AlertRule ReadMetric(YamlFields f, AlertRule rule)
    {
        Forbid(f, "metric", "condition", "count", "within", "floor");
        var metric = OneOf(f, "metric", AlertMetrics.All.Keys.ToArray(), required: true)!;
        var (min, max, _) = AlertMetrics.All[metric];
        var op = OneOf(f, "op", Ops, required: false) ?? ">=";
        var threshold = f.Number("threshold") ?? throw RuleProblem.At(f.Field("threshold"), "required for a metric rule");
        InRange(f, "threshold", threshold, min, max, metric);
        var clear = f.Number("clear") ?? threshold;
        InRange(f, "clear", clear, min, max, metric);
        if (op.StartsWith('>') ? clear > threshold : clear < threshold)
        {
            throw RuleProblem.At(f.Field("clear"), $"must be on the resolving side of the threshold ({(op.StartsWith('>') ? "at most" : "at least")} {Format(threshold)}), got {Format(clear)}");
        }

        return rule with
        {
            Metric = metric,
            Op = op,
            Threshold = threshold,
            Clear = clear,
            Aggregate = OneOf(f, "aggregate", AlertAggregates.All, required: false) ?? AlertAggregates.Avg,
            WindowSeconds = Between(f, "window", f.Seconds("window") ?? 0, 0, MaxWindowSeconds,
                "the evaluator keeps at most 24h of samples per target"),
        };
    }

    private static AlertRule ReadState(YamlFields f, AlertRule rule)
    {
        Forbid(f, "condition", "metric", "aggregate", "window", "op", "threshold", "clear", "floor");
        var condition = OneOf(f, "condition", AlertConditions.All, required: true)!;
        int? count = null;
        int? within = null;
        if (condition == AlertConditions.RestartLoop)
        {
            count = Between(f, "count", f.Integer("count") ?? 3, 1, 1000);
            within = Between(f, "within", f.Seconds("within") ?? 600, 1, MaxWindowSeconds, "the evaluator keeps at most 24h of restarts");
        }
        else if (condition == AlertConditions.RunningBelow)
        {
            count = Between(f, "count", f.Integer("count") ?? throw RuleProblem.At(f.Field("count"), "required: the least running containers"), 1, 100_000);
            Forbid(f, "condition", "within");
        }
        else
        {
            Forbid(f, "condition", "count", "within");
        }

        if (condition == AlertConditions.NotRunning && rule.Scope.Containers.Count == 0)
        {
            throw RuleProblem.At(f.Field("scope.containers"), "not_running needs the containers expected to run (names or patterns)");
        }

        return rule with { Condition = condition, Count = count, WithinSeconds = within };
    }

    private static AlertRule ReadAbsence(YamlFields f, AlertRule rule)
    {
        Forbid(f, "absence", "metric", "aggregate", "window", "op", "threshold", "clear", "condition", "count", "within");
        if (rule.Scope.Containers.Count > 0 || rule.Scope.Images.Count > 0 || rule.Scope.Labels.Count > 0)
        {
            throw RuleProblem.At(f.Field("scope"), "an absence rule watches agents: scope it by agents only");
        }

        return rule with { FloorSeconds = Between(f, "floor", f.Seconds("floor") ?? 60, 1, MaxForSeconds) };
    }

    private static RuleScope ReadScope(YamlFields f, string path)
    {
        if (f.Node("scope") is not { } node)
        {
            return RuleScope.Everything;
        }

        var s = new YamlFields(node, f.Field("scope"), "agents", "containers", "images", "labels");
        var labels = s.Map("labels");
        foreach (var (key, value) in labels)
        {
            if (!ContainerLabels.IsValidKey(key))
            {
                throw RuleProblem.At($"{s.Field("labels")}.{YamlFields.Short(key)}", "not a valid label key");
            }

            CheckGlob($"{s.Field("labels")}.{key}", value);
        }

        var scope = new RuleScope
        {
            Agents = Globs(s, "agents"),
            Containers = Globs(s, "containers"),
            Images = Globs(s, "images"),
            Labels = labels,
        };
        PatternLimits.CheckRule(scope, f.Field("scope"));
        return scope;
    }

    private static List<string> Globs(YamlFields f, string name)
    {
        var list = f.Strings(name);
        for (var i = 0; i < list.Count; i++)
        {
            CheckGlob($"{f.Field(name)}[{i}]", list[i]);
        }

        return list.ToList();
    }

    private static void CheckGlob(string field, string pattern)
    {
        if (Glob.TryParse(pattern, out var problem) is null)
        {
            throw RuleProblem.At(field, problem!);
        }
    }

    private static void Forbid(YamlFields f, string owner, params string[] names)
    {
        foreach (var name in names.Where(n => n != owner && f.Node(n) is not null))
        {
            throw RuleProblem.At(f.Field(name), $"does not apply to this kind of rule");
        }
    }

    private static string? OneOf(YamlFields f, string name, string[] known, bool required)
    {
        var value = f.String(name);
        if (value is null)
        {
            return required ? throw RuleProblem.At(f.Field(name), $"required; one of {string.Join(", ", known)}") : null;
        }

        return known.Contains(value, StringComparer.Ordinal)
            ? value
            : throw RuleProblem.At(f.Field(name), $"unknown '{YamlFields.Short(value)}'; one of {string.Join(", ", known)}");
    }

    private static string? Limited(YamlFields f, string name, int max)
    {
        var value = f.String(name);
        return value is null || (value.Length <= max && !value.Any(c => char.IsControl(c) && c != '\n'))
            ? value
            : throw RuleProblem.At(f.Field(name), $"at most {max} characters without control characters");
    }

    private static int Between(YamlFields f, string name, int value, int min, int max, string? why = null) =>
        value >= min && value <= max
            ? value
            : throw RuleProblem.At(f.Field(name), $"must be {Durations.Format(min)}-{Durations.Format(max)}{(why is null ? "" : $" ({why})")}, got {Durations.Format(value)}");

    private static void InRange(YamlFields f, string name, double value, double min, double max, string metric)
    {
        if (value < min || value > max)
        {
            throw RuleProblem.At(f.Field(name), $"out of range for {metric}: must be {Format(min)}-{Format(max)}, got {Format(value)}");
        }
    }

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The rules as a YAML file the parser reads back to the same rules (defaults written out).</summary>
    public static string ToYaml(IEnumerable<AlertRule> rules)
    {
        var document = new Dictionary<string, object> { ["rules"] = rules.Select(ToMap).ToList() };
        return new SerializerBuilder().Build().Serialize(document);
    }

    private static Dictionary<string, object> ToMap(AlertRule r)
    {
        var map = new Dictionary<string, object>
        {
            ["name"] = r.Name,
            ["kind"] = r.Kind,
            ["enabled"] = r.Enabled,
            ["severity"] = r.Severity,
        };
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                map[key] = value;
            }
        }

        Add("description", r.Description);
        Add("metric", r.Metric);
        Add("aggregate", r.Aggregate);
        Add("window", r.WindowSeconds is { } w ? Durations.Format(w) : null);
        Add("op", r.Op);
        Add("threshold", r.Threshold);
        Add("clear", r.Clear);
        Add("condition", r.Condition);
        Add("count", r.Count);
        Add("within", r.WithinSeconds is { } within ? Durations.Format(within) : null);
        Add("floor", r.FloorSeconds is { } floor ? Durations.Format(floor) : null);
        map["for"] = Durations.Format(r.ForSeconds);
        if (r.RepeatSeconds > 0)
        {
            map["repeat"] = Durations.Format(r.RepeatSeconds);
        }

        if (!r.Scope.IsEverything)
        {
            var scope = new Dictionary<string, object>();
            if (r.Scope.Agents.Count > 0) scope["agents"] = r.Scope.Agents;
            if (r.Scope.Containers.Count > 0) scope["containers"] = r.Scope.Containers;
            if (r.Scope.Images.Count > 0) scope["images"] = r.Scope.Images;
            if (r.Scope.Labels.Count > 0) scope["labels"] = r.Scope.Labels;
            map["scope"] = scope;
        }

        if (r.Channels.Count > 0)
        {
            map["channels"] = r.Channels;
        }

        return map;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
