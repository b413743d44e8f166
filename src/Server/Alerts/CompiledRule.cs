using System.Globalization;

namespace StackScope.Server.Alerts;

/// <summary>A rule with its scope's patterns compiled, and the label overrides a container may carry.</summary>
internal sealed class CompiledRule
{
    /// <summary><c>true</c> ignores the container for every rule; a comma list of rule names for those rules only.</summary>
    public const string IgnoreLabel = "stackscope.alert.ignore";

    private readonly Glob[] _agents;
    private readonly Glob[] _containers;
    private readonly Glob[] _images;
    private readonly (string Key, Glob Value)[] _labels;
    private readonly string _thresholdLabel;

    public CompiledRule(AlertRule rule)
    {
        Rule = rule;
        _agents = rule.Scope.Agents.Select(Glob.Parse).ToArray();
        _containers = rule.Scope.Containers.Select(Glob.Parse).ToArray();
        _images = rule.Scope.Images.Select(Glob.Parse).ToArray();
        _labels = rule.Scope.Labels.Select(kv => (kv.Key, Glob.Parse(kv.Value))).ToArray();
        _thresholdLabel = $"stackscope.alert.{rule.Name}.threshold";
        _op = rule.Op switch { ">" => 1, "<=" => 2, "<" => 3, _ => 0 };
        Aggregate = rule.Aggregate switch { AlertAggregates.Min => 1, AlertAggregates.Max => 2, _ => 0 };
    }

    /// <summary>0 average, 1 minimum, 2 maximum.</summary>
    public int Aggregate { get; }

    public AlertRule Rule { get; }

    /// <summary>This rule's place in the engine's per-target arrays (set by the engine).</summary>
    public int Index { get; init; }

    /// <summary>The place of its metric window in the engine's per-target windows, shared with rules on the same metric
    /// and window length (set by the engine); -1 without a window.</summary>
    public int WindowIndex { get; init; } = -1;

    /// <summary>The rule's op as a comparison, decided once rather than per sample.</summary>
    private readonly int _op;

    /// <summary>Container names the scope names exactly (no wildcard): expected to exist.</summary>
    public IEnumerable<string> LiteralContainers => _containers.Where(g => g.IsLiteral).Select(g => g.Pattern);

    /// <summary>True when the scope names this agent exactly (not by a pattern).</summary>
    public bool NamesAgent(string agentId) => _agents.Any(g => g.IsLiteral && g.Matches(agentId));

    public bool MatchesAgent(string agentId) => _agents.Length == 0 || AnyMatches(_agents, agentId);

    // Called for every container of every sample and rule: plain loops, no closures.
    public bool MatchesContainer(ContainerPoint container)
    {
        if (_containers.Length > 0 && !AnyMatches(_containers, container.Name))
        {
            return false;
        }

        if (_images.Length > 0 && !AnyMatches(_images, container.Image))
        {
            return false;
        }

        if (_labels.Length == 0 && container.Labels is null)
        {
            return true;
        }

        var labels = container.Labels;
        foreach (var (key, value) in _labels)
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || !value.Matches(actual))
            {
                return false;
            }
        }

        return !IsIgnored(labels);
    }

    private static bool AnyMatches(Glob[] globs, string? value)
    {
        foreach (var glob in globs)
        {
            if (glob.Matches(value))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsIgnored(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || !labels.TryGetValue(IgnoreLabel, out var ignore))
        {
            return false;
        }

        return ignore.Trim().Equals("true", StringComparison.OrdinalIgnoreCase)
            || ignore.Split(',', StringSplitOptions.TrimEntries).Contains(Rule.Name, StringComparer.Ordinal);
    }

    /// <summary>The threshold and clear value for this container: <c>stackscope.alert.&lt;rule&gt;.threshold</c> moves both.</summary>
    public (double Threshold, double Clear) Limits(IReadOnlyDictionary<string, string>? labels)
    {
        var threshold = Rule.Threshold ?? 0;
        var clear = Rule.Clear ?? threshold;
        if (labels is not null && labels.TryGetValue(_thresholdLabel, out var text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var own) && double.IsFinite(own))
        {
            return (own, own - (threshold - clear));
        }

        return (threshold, clear);
    }

    public bool Meets(double value, double limit) => _op switch
    {
        1 => value > limit,
        2 => value <= limit,
        3 => value < limit,
        _ => value >= limit,
    };

    public bool HigherIsWorse => _op < 2;
}
